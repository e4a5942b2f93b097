"""The status table's notes for the rarer cases, and progress on a terminal, without a server."""

from __future__ import annotations

import io

from reconciler.status import VoiceStatus
from reconciler.views.status_table import problem_line, render_table
from reconciler.views.wait_progress import WaitProgress
from tests.clocks import ManualClock


def _status(name: str, state: str | None, **fields: object) -> VoiceStatus:
    values: dict[str, object] = {
        "address": f"voice.{name}",
        "name": name,
        "job_id": f"job-{name}",
        "phase": "submitted",
        "state": state,
    }
    values.update(fields)
    return VoiceStatus(**values)  # type: ignore[arg-type]


def test_the_table_says_what_only_apply_can_fix() -> None:
    statuses = [
        _status("creating", "CREATING", phase="uploaded"),
        _status("gone", None, gone=True),
        _status("interrupted", None, job_id=None, phase=None),
        _status("orphan", "SUCCEED", asset_id="asset-1", terminal=True),
    ]
    table = render_table(statuses, configured={"creating", "gone", "interrupted"})
    assert table.splitlines() == [
        "VOICE              JOB ID        STATE     ASSET ID",
        "voice.creating     job-creating  CREATING  —",
        "    not submitted yet; run `reconciler apply` to upload and submit",
        "voice.gone         job-gone      (gone)    —",
        "    the job no longer exists in MetaStudio; `reconciler apply` creates it again",
        "voice.interrupted  —             —         —",
        "    an apply stopped while creating its job; run `reconciler apply` to finish",
        "voice.orphan       job-orphan    SUCCEED   asset-1",
        "    not in the configuration: the next apply destroys it",
        "",
        "4 voices: 1 CREATING, 1 SUCCEED, 1 create interrupted, 1 gone.",
    ]
    assert all(s.settled for s in statuses)
    assert problem_line(statuses[1]) == "voice.gone: its job is gone; run `reconciler apply`"


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_on_a_terminal_redraws_one_summary_line_between_change_lines() -> None:
    stream = _Terminal()
    progress = WaitProgress(stream, live=True, interval=10.0, clock=ManualClock())
    progress.update([_status("a", "WAITING"), _status("b", "SUCCEED", terminal=True)])
    progress.update([_status("a", "PROCESSING"), _status("b", "SUCCEED", terminal=True)])
    progress.close()
    assert stream.getvalue() == (
        "Waiting for 1 of 2 voices to finish training...\n"
        "voice.a: WAITING\n"
        "voice.b: SUCCEED\n"
        "\r\x1b[Kwaiting: 2 voices: 1 SUCCEED, 1 WAITING."
        "\r\x1b[Kvoice.a: WAITING -> PROCESSING\n"
        "\r\x1b[Kwaiting: 2 voices: 1 PROCESSING, 1 SUCCEED."
        "\r\x1b[K"
    )


def test_progress_in_a_log_is_one_line_per_change() -> None:
    stream = io.StringIO()
    clock = ManualClock()
    progress = WaitProgress(stream, live=False, interval=10.0, clock=clock, sleep=clock.sleeper(0))
    progress.update([_status("a", "WAITING")])
    progress.update([_status("a", "WAITING")])
    progress.update([_status("a", "FAILED", terminal=True)])
    progress.close()
    assert stream.getvalue().splitlines() == [
        "Waiting for 1 of 1 voices to finish training...",
        "voice.a: WAITING",
        "voice.a: WAITING -> FAILED",
    ]


def test_a_long_wait_in_a_log_says_where_things_stand_every_interval() -> None:
    stream = io.StringIO()
    clock = ManualClock()
    sleeper = clock.sleeper(3)  # 30 s with no poll: the timer must speak
    progress = WaitProgress(stream, live=False, interval=10.0, clock=clock, sleep=sleeper)
    progress.update([_status("a", "WAITING"), _status("b", "PROCESSING")])
    assert sleeper.done.wait(10)
    progress.update([_status("a", "SUCCEED", terminal=True), _status("b", "PROCESSING")])
    progress.close()
    assert stream.getvalue().splitlines() == [
        "Waiting for 2 of 2 voices to finish training...",
        "voice.a: WAITING",
        "voice.b: PROCESSING",
        "still waiting (10s): 2 voices: 1 PROCESSING, 1 WAITING.",
        "still waiting (20s): 2 voices: 1 PROCESSING, 1 WAITING.",
        "still waiting (30s): 2 voices: 1 PROCESSING, 1 WAITING.",
        "voice.a: WAITING -> SUCCEED",
    ]
    assert "\r" not in stream.getvalue() and "\x1b" not in stream.getvalue()
