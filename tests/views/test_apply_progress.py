"""Apply's output: a byte progress bar on a terminal, plain lines in a log."""

from __future__ import annotations

import io
import re

from reconciler.environment import Environment
from reconciler.views.apply_progress import TerminalReporter
from tests.clocks import ManualClock


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def run(stdout: io.StringIO) -> str:
    reporter = TerminalReporter(Environment(stdout=stdout, stderr=io.StringIO(), environ={}))
    reporter.step("voice.a", "uploading training data")
    reporter.upload_started("voice.a", "training data", 4 << 20)
    for _ in range(4):
        reporter.upload_progress("voice.a", "training data", 1 << 20)
    reporter.upload_finished("voice.a", "training data")
    reporter.step("voice.a", "submitted job j1")
    reporter.close()
    return stdout.getvalue()


def test_terminal_gets_a_byte_progress_bar() -> None:
    out = run(FakeTerminal())
    assert "uploading" in out and "4.00M" in out and "100%" in out
    assert "voice.a: submitted job j1" in out


def test_a_log_gets_plain_lines_only() -> None:
    out = run(io.StringIO())
    assert out.splitlines() == [
        "voice.a: uploading training data",
        "voice.a: uploaded training data (4.0 MiB)",
        "voice.a: submitted job j1",
    ]
    assert "\r" not in out and "%" not in out


def test_a_long_upload_in_a_log_says_bytes_and_rate_every_interval() -> None:
    clock = ManualClock()
    out = io.StringIO()
    env = Environment(
        stdout=out,
        stderr=io.StringIO(),
        environ={"RECONCILER_PROGRESS_INTERVAL": "10"},
        clock=clock,
    )
    reporter = TerminalReporter(env, sleep=clock.sleeper(0))
    reporter.step("voice.a", "uploading training data")
    reporter.upload_started("voice.a", "training data", 100 << 20)
    for _ in range(100):  # 1 MiB a second for 100 s
        clock.advance(1.0)
        reporter.upload_progress("voice.a", "training data", 1 << 20)
    reporter.upload_finished("voice.a", "training data")
    clock.advance(60.0)  # nothing in flight: nothing to say
    reporter.upload_progress("voice.b", "training data", 0)
    reporter.close()
    lines = out.getvalue().splitlines()
    assert lines[0] == "voice.a: uploading training data"
    assert lines[-1] == "voice.a: uploaded training data (100.0 MiB)"
    progress = lines[1:-1]
    assert len(progress) == 10  # one per 10 s of a 100 s upload
    pattern = re.compile(
        r"uploading: (\d+)\.0 MiB of 100\.0 MiB \((\d+)%\), (\d+\.\d) MiB/s, 1 file in flight"
    )
    matches = [pattern.fullmatch(line) for line in progress]
    assert all(matches), progress
    sent = [int(m.group(1)) for m in matches if m]
    assert sent == sorted(sent) and sent[-1] >= 99
    assert {m.group(3) for m in matches if m} <= {"0.9", "1.0", "1.1"}


def test_progress_lines_can_be_turned_off() -> None:
    clock = ManualClock()
    out = io.StringIO()
    env = Environment(
        stdout=out, stderr=io.StringIO(), environ={"RECONCILER_PROGRESS_INTERVAL": "0"}, clock=clock
    )
    reporter = TerminalReporter(env, sleep=clock.sleeper(0))
    reporter.upload_started("voice.a", "training data", 100 << 20)
    for _ in range(100):
        clock.advance(1.0)
        reporter.upload_progress("voice.a", "training data", 1 << 20)
    reporter.upload_finished("voice.a", "training data")
    reporter.close()
    assert out.getvalue().splitlines() == ["voice.a: uploaded training data (100.0 MiB)"]


def test_a_dumb_terminal_gets_the_log_lines_not_a_bar() -> None:
    out = FakeTerminal()
    env = Environment(stdout=out, stderr=io.StringIO(), environ={"TERM": "dumb"})
    reporter = TerminalReporter(env)
    reporter.upload_started("voice.a", "training data", 4 << 20)
    reporter.upload_progress("voice.a", "training data", 4 << 20)
    reporter.upload_finished("voice.a", "training data")
    reporter.close()
    assert out.getvalue() == "voice.a: uploaded training data (4.0 MiB)\n"
