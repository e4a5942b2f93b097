"""A damaged state file is refused when read, in one line naming the file and the field, by
every command that reads it, and is left exactly as it was."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.hostile.conftest import Project, assert_clean_error

Damage = Callable[[dict[str, Any]], None]


def _nested(depth: int) -> Any:
    value: Any = []
    for _ in range(depth):
        value = [value]
    return value


def _attempt_only(state: dict[str, Any]) -> dict[str, Any]:
    """voice.a as an interrupted create left it: no job yet, only the attempt."""
    record = state["voices"]["a"]
    record.update(job_id=None, phase=None)
    record["create_attempt"] = {"started_at": record["created_at"], "voice_name": "Voice A"}
    return dict(record)


DAMAGES: dict[str, tuple[Damage, str]] = {
    "created_at": (
        lambda s: s["voices"]["a"].update(created_at="yesterday"),
        "voices.a.created_at: 'yesterday' is not a timestamp",
    ),
    "updated_at type": (
        lambda s: s["voices"]["a"].update(updated_at=5),
        "voices.a.updated_at: expected str, got int",
    ),
    "started_at": (
        lambda s: _attempt_only(s)["create_attempt"].update(started_at="2024-13-99T00:00:00Z"),
        "voices.a.create_attempt.started_at: '2024-13-99T00:00:00Z' is not a timestamp",
    ),
    "negative serial": (lambda s: s.update(serial=-4), "serial: -4 is negative"),
    "boolean serial": (lambda s: s.update(serial=True), "state.serial: expected int, got bool"),
    "unknown phase": (
        lambda s: s["voices"]["a"].update(phase="trained"),
        "voices.a.phase: 'trained' is not one of created, uploaded, submitted",
    ),
    "job id with a slash": (
        lambda s: s["voices"]["a"].update(job_id="../jobs"),
        "voices.a.job_id: '../jobs' is not a job ID",
    ),
    "voices is a list": (lambda s: s.update(voices=[]), "state.voices: expected dict, got list"),
    "deep extra": (
        lambda s: s.update(junk=_nested(900)),
        "state.junk[0][0][0]: nested more than 64 levels deep",
    ),
    "deep spec": (
        lambda s: s["voices"]["a"]["spec"].update(x=_nested(200)),
        "voices.a.spec.x[0][0][0]: nested more than 64 levels deep",
    ),
    "newline in a voice name": (
        lambda s: s["voices"].update({"x\ny": s["voices"]["a"]}),
        "voices['x\\ny']: record is named 'a'",
    ),
}

# Commands that read the state, none of which may get past a damaged one.
READERS = [
    ("state", "list"),
    ("state", "show", "voice.a"),
    ("state", "rm", "voice.b"),
    ("plan", "--refresh=false"),
    ("status",),
    ("apply", "--auto-approve"),
    ("destroy", "--auto-approve"),
]


@pytest.mark.parametrize("damage", sorted(DAMAGES))
def test_a_damaged_state_is_refused_naming_the_file_and_field(
    applied: Project, damage: str
) -> None:
    state = applied.state()
    change, fragment = DAMAGES[damage]
    change(state)
    applied.state_path.write_text(json.dumps(state), encoding="utf-8")
    before = applied.state_path.read_bytes()
    for argv in READERS:
        run = applied.run(*argv)
        assert_clean_error(run, f"state file {applied.state_path}", fragment)
        assert applied.state_path.read_bytes() == before, argv


@pytest.mark.parametrize(
    "content",
    [b"[" * 100_000, b'{"a":' * 100_000, b"\xff\xfe garbage", b"", b'{"format_version": 1'],
    ids=["brackets", "objects", "binary", "empty", "truncated"],
)
def test_a_state_that_is_no_json_is_refused(applied: Project, content: bytes) -> None:
    applied.state_path.write_bytes(content)
    for argv in READERS:
        run = applied.run(*argv)
        assert_clean_error(run, f"state file {applied.state_path} is not a valid state file")
        assert applied.state_path.read_bytes() == content, argv


def test_a_state_that_is_not_utf8_says_so_in_plain_words(applied: Project) -> None:
    # Found by test_fuzz: Python's "unexpected end of data" read like the CLI's crash fallback.
    applied.state_path.write_bytes(b"\xe1\x80\x80\xc2")
    run = applied.run("state", "list")
    assert_clean_error(run, "is not a valid state file: not UTF-8 text (byte 3)")
    assert "unexpected" not in run.err
