"""Apply's output: a byte progress bar on a terminal, plain lines in a log."""

from __future__ import annotations

import io

from reconciler.environment import Environment
from reconciler.views.apply_progress import TerminalReporter


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
