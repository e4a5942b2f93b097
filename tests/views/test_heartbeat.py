"""Progress lines for logs: at least one every interval while something long goes on, counted
on a clock the test moves, never by sleeping through real intervals."""

from __future__ import annotations

import threading

import pytest

from reconciler.views.heartbeat import Heartbeat, duration, size
from tests.clocks import ManualClock


def test_beats_say_the_description_once_an_interval_has_passed() -> None:
    clock = ManualClock()
    lines: list[str] = []
    never = ManualClock().sleeper(0)  # the timer adds nothing here: only beat() speaks
    heartbeat = Heartbeat(lines.append, 10.0, clock, sleep=never)
    count = iter(range(1, 100))
    heartbeat.follow(lambda: f"line {next(count)} at {clock() - 1_000_000:g}")
    for _ in range(35):  # 35 s of bytes arriving each second
        clock.advance(1.0)
        heartbeat.beat()
    heartbeat.close()
    assert lines == ["line 1 at 10", "line 2 at 20", "line 3 at 30"]


def test_the_timer_speaks_during_a_wait_where_nothing_calls_back() -> None:
    clock = ManualClock()
    lines: list[str] = []
    sleeper = clock.sleeper(4)
    heartbeat = Heartbeat(lines.append, 10.0, clock, sleep=sleeper)
    heartbeat.follow(lambda: f"still waiting at {clock() - 1_000_000:g}")
    assert sleeper.done.wait(10)
    heartbeat.close()
    # Each pause lasts until the next line is due: one line per interval, on time.
    assert lines == [f"still waiting at {t}" for t in (10, 20, 30, 40)]


def test_a_line_said_elsewhere_postpones_the_next_one() -> None:
    clock = ManualClock()
    lines: list[str] = []
    heartbeat = Heartbeat(lines.append, 10.0, clock, sleep=ManualClock().sleeper(0))
    heartbeat.follow(lambda: "tick")
    clock.advance(8)
    heartbeat.said()  # e.g. a voice changed state: that line was the sign of life
    clock.advance(8)
    heartbeat.beat()
    assert lines == []
    clock.advance(2)
    heartbeat.beat()
    assert lines == ["tick"]
    heartbeat.quiet()
    clock.advance(60)
    heartbeat.beat()
    heartbeat.close()
    assert lines == ["tick"]


def test_interval_zero_means_no_lines_and_no_thread() -> None:
    clock = ManualClock()
    lines: list[str] = []
    sleeper = clock.sleeper(3)
    heartbeat = Heartbeat(lines.append, 0.0, clock, sleep=sleeper)
    heartbeat.follow(lambda: "never")
    clock.advance(100)
    heartbeat.beat()
    heartbeat.close()
    assert lines == [] and sleeper.left == 3


def test_durations_and_sizes_read_short() -> None:
    assert [duration(s) for s in (0, 9.9, 65, 3600 + 4 * 60 + 1)] == ["0s", "9s", "1m05s", "1h04m"]
    assert [size(n) for n in (512, 1536, 341 << 20)] == ["512 B", "1.5 KiB", "341.0 MiB"]


def test_a_stream_gone_away_ends_the_lines_without_a_thread_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    crashes: list[threading.ExceptHookArgs] = []
    monkeypatch.setattr(threading, "excepthook", crashes.append)
    clock = ManualClock()
    tried: list[str] = []

    def say(text: str) -> None:
        tried.append(text)
        raise BrokenPipeError("stderr is gone")

    sleeper = clock.sleeper(2)
    heartbeat = Heartbeat(say, 10.0, clock, sleep=sleeper)
    heartbeat.follow(lambda: "still waiting")
    assert sleeper.done.wait(10)
    heartbeat.close()
    assert tried == ["still waiting", "still waiting"] and crashes == []
