"""Every reader of state, journal and lock text treats JSON nested too deeply as damage like
any other: a located StateError or "no lock info", never a RecursionError."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.state.backends import local_journal as journal
from reconciler.state.backends.remote_journal import decode_entry, decode_state
from reconciler.state.errors import StateError
from reconciler.state.lockinfo import read_lock_info

DEEP = b"[" * 100_000


def test_a_remote_state_nested_too_deeply_is_a_state_error() -> None:
    with pytest.raises(StateError, match=r"state s3://b/k is not a valid state: JSON nested too"):
        decode_state(DEEP, "s3://b/k")


def test_a_remote_journal_entry_nested_too_deeply_is_a_state_error() -> None:
    with pytest.raises(StateError, match="journal entry 7 is not valid: JSON nested too deeply"):
        decode_entry(DEEP, "7")


def test_a_local_journal_line_nested_too_deeply_is_damage(tmp_path: Path) -> None:
    path = tmp_path / "state.json.journal"
    with pytest.raises(StateError, match="is damaged at line 1"):
        journal.parse(DEEP + b"\n{}\n", path)
    # As the last line it is a torn append, left out like any other.
    assert journal.parse(DEEP + b"\n", path).entries == ()


def test_lock_info_nested_too_deeply_reads_as_none(tmp_path: Path) -> None:
    path = tmp_path / "state.json.lock.info"
    path.write_bytes(DEEP)
    assert read_lock_info(path) is None
