"""Checkpoints append to a journal beside the snapshot; reads replay it; compaction folds it.

Cost is guarded by counting bytes and file replacements, never by timing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from reconciler.state import FORMAT_VERSION, LocalStateBackend, State, StateError
from tests.state.helpers import record


def journal_of(state_path: Path) -> Path:
    return state_path.with_name(state_path.name + ".journal")


def catalogue(backend: LocalStateBackend, voices: int) -> State:
    """A state of ``voices`` records: with 20 or more, one record's line is far smaller than
    the snapshot, so a checkpoint appends rather than folding in at once."""
    state = backend.read().with_records({f"v{i:05d}": record(f"v{i:05d}") for i in range(voices)})
    return backend.write(state)


def size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def test_a_checkpoint_appends_one_line_and_leaves_the_snapshot_alone(
    backend: LocalStateBackend, state_path: Path
) -> None:
    state = catalogue(backend, 20)
    snapshot = state_path.stat()
    changed = backend.checkpoint(state.with_voice(record("new")), ["new"])
    assert changed.serial == state.serial + 1
    after = state_path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (snapshot.st_ino, snapshot.st_mtime_ns)
    lines = journal_of(state_path).read_bytes().splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert (entry["lineage"], entry["serial"]) == (state.lineage, changed.serial)
    assert list(entry["voices"]) == ["new"] and entry["checksum"].startswith("sha256:")
    assert LocalStateBackend(state_path).read() == changed  # another reader replays it


def test_a_removal_is_recorded_and_replayed(backend: LocalStateBackend, state_path: Path) -> None:
    state = catalogue(backend, 20)
    gone = backend.checkpoint(state.without_voice("v00001"), ["v00001"])
    assert json.loads(journal_of(state_path).read_text())["voices"] == {"v00001": None}
    read = LocalStateBackend(state_path).read()
    assert read == gone and "v00001" not in read.voices and len(read.voices) == 19


@pytest.mark.parametrize("steps", [1, 5])
def test_bytes_per_checkpoint_do_not_grow_with_the_catalogue(tmp_path: Path, steps: int) -> None:
    appended = {}
    for voices in (100, 2_000):
        path = tmp_path / f"{voices}" / "reconciler.state.json"
        backend = LocalStateBackend(path)
        state = catalogue(backend, voices)
        snapshot_inode = path.stat().st_ino
        sizes = []
        for step in range(steps):
            state = backend.checkpoint(state.with_voice(record(f"new-{step}")), [f"new-{step}"])
            sizes.append(size(journal_of(path)))
        assert path.stat().st_ino == snapshot_inode, "a checkpoint rewrote the snapshot"
        appended[voices] = [b - a for a, b in zip([0, *sizes], sizes, strict=False)]
    small, large = appended[100], appended[2_000]
    assert all(0 < b < 1_000 for b in small), small
    # Equal but for the digits of the serial, which is the only thing that differs.
    assert all(abs(a - b) <= 8 for a, b in zip(small, large, strict=True)), appended


def test_compaction_keeps_the_amortised_cost_per_checkpoint_constant(
    backend: LocalStateBackend, state_path: Path
) -> None:
    state = catalogue(backend, 50)
    snapshot_bytes = size(state_path)
    replaced, inode, written = 0, state_path.stat().st_ino, 0
    checkpoints = 200
    for step in range(checkpoints):
        before = size(journal_of(state_path))
        state = backend.checkpoint(
            state.with_voice(record(f"v{step % 50:05d}")), [f"v{step % 50:05d}"]
        )
        if state_path.stat().st_ino != inode:
            replaced += 1
            inode = state_path.stat().st_ino
            assert not journal_of(state_path).exists()  # folded in
            written += size(state_path) * 2  # the snapshot and its backup
        else:
            written += size(journal_of(state_path)) - before
        assert size(journal_of(state_path)) <= size(state_path) + 1_000
    line = written / checkpoints
    # About one compaction per snapshot's worth of journal: a few, not one per checkpoint.
    assert 2 <= replaced <= checkpoints * 1_000 // snapshot_bytes + 1, replaced
    assert line < 4_000, f"{line:.0f} bytes written per checkpoint on average"
    assert LocalStateBackend(state_path).read() == state


def test_releasing_the_lock_after_checkpoints_folds_the_journal_in(
    backend: LocalStateBackend, state_path: Path
) -> None:
    state = catalogue(backend, 20)
    with backend.lock("apply", timeout=0):
        state = backend.checkpoint(state.with_voice(record("a")), ["a"])
        state = backend.checkpoint(state.with_voice(record("b")), ["b"])
        assert journal_of(state_path).exists()
    assert not journal_of(state_path).exists()
    data = json.loads(state_path.read_text())
    assert (data["serial"], data["format_version"]) == (state.serial, FORMAT_VERSION)
    assert {"a", "b"} <= set(data["voices"])
    # The backup is the snapshot the journal was folded into: older, complete.
    assert json.loads(Path(f"{state_path}.backup").read_text())["serial"] == state.serial - 2


def test_a_lock_held_only_to_read_writes_nothing(
    backend: LocalStateBackend, state_path: Path
) -> None:
    state = catalogue(backend, 20)
    backend.checkpoint(state.with_voice(record("a")), ["a"])  # a run that died: journal left
    journal_bytes = journal_of(state_path).read_bytes()
    reader = LocalStateBackend(state_path)
    with reader.lock("plan", timeout=0):
        assert "a" in reader.read().voices
    assert journal_of(state_path).read_bytes() == journal_bytes


def test_a_torn_last_line_is_ignored_and_cut_off_by_the_next_append(
    backend: LocalStateBackend, state_path: Path
) -> None:
    state = catalogue(backend, 20)
    kept = backend.checkpoint(state.with_voice(record("a")), ["a"])
    whole = journal_of(state_path).read_bytes()
    torn = backend.checkpoint(kept.with_voice(record("b")), ["b"])
    data = journal_of(state_path).read_bytes()
    journal_of(state_path).write_bytes(data[: len(whole) + (len(data) - len(whole)) // 2])

    fresh = LocalStateBackend(state_path)
    assert fresh.read() == kept and "b" not in fresh.read().voices
    again = fresh.checkpoint(kept.with_voice(record("c")), ["c"])
    assert again.serial == torn.serial
    lines = journal_of(state_path).read_bytes().splitlines()
    assert len(lines) == 2 and all(json.loads(line)["checksum"] for line in lines)
    assert set(LocalStateBackend(state_path).read().voices) >= {"a", "c"}


def test_a_damaged_line_before_whole_ones_is_an_error_naming_the_journal(
    backend: LocalStateBackend, state_path: Path
) -> None:
    state = catalogue(backend, 20)
    state = backend.checkpoint(state.with_voice(record("a")), ["a"])
    backend.checkpoint(state.with_voice(record("b")), ["b"])
    first, second = journal_of(state_path).read_bytes().splitlines()
    journal_of(state_path).write_bytes(first.replace(b'"a"', b'"z"', 1) + b"\n" + second + b"\n")
    with pytest.raises(
        StateError, match=rf"state journal {journal_of(state_path)} is damaged at line 1"
    ):
        LocalStateBackend(state_path).read()


def test_a_journal_that_does_not_continue_the_snapshot_is_refused(
    backend: LocalStateBackend, state_path: Path
) -> None:
    state = catalogue(backend, 20)
    backend.checkpoint(state.with_voice(record("a")), ["a"])
    journal = journal_of(state_path).read_bytes()
    # The snapshot restored by hand from a different state: the journal is not its own.
    other = LocalStateBackend(state_path.with_name("other.json"))
    other.write(other.read())
    state_path.write_bytes(state_path.with_name("other.json").read_bytes())
    journal_of(state_path).write_bytes(journal)
    with pytest.raises(StateError, match="belongs to lineage") as raised:
        LocalStateBackend(state_path).read()
    assert "move" in str(raised.value.hint)


def test_a_checkpoint_after_another_writer_is_refused(
    backend: LocalStateBackend, state_path: Path
) -> None:
    base = catalogue(backend, 20)
    other = LocalStateBackend(state_path)
    other.checkpoint(other.read().with_voice(record("theirs")), ["theirs"])
    with pytest.raises(StateError, match="serial 2, but this run read serial 1"):
        backend.checkpoint(base.with_voice(record("ours")), ["ours"])
    assert "ours" not in LocalStateBackend(state_path).read().voices


def test_a_version_1_state_is_upgraded_in_place(
    backend: LocalStateBackend, state_path: Path
) -> None:
    state = catalogue(backend, 20)
    old = state.to_dict() | {"format_version": 1, "serial": 41}
    state_path.write_text(json.dumps(old, indent=2, sort_keys=True) + "\n")

    read = LocalStateBackend(state_path).read()
    assert (read.serial, read.lineage, read.format_version) == (41, state.lineage, 1)
    fresh = LocalStateBackend(state_path)
    upgraded = fresh.checkpoint(fresh.read().with_voice(record("a")), ["a"])
    # One whole write, so no reader of version 1 sees this snapshot without its journal.
    data = json.loads(state_path.read_text())
    assert (data["format_version"], data["serial"], data["lineage"]) == (
        FORMAT_VERSION,
        42,
        state.lineage,
    )
    assert not journal_of(state_path).exists()
    fresh.checkpoint(upgraded.with_voice(record("b")), ["b"])
    assert journal_of(state_path).exists()
    assert LocalStateBackend(state_path).read().serial == 43


def test_the_journal_lives_beside_the_file_a_link_leads_to(tmp_path: Path) -> None:
    target = tmp_path / "shared" / "team.json"
    target.parent.mkdir()
    catalogue(LocalStateBackend(target), 20)
    link = tmp_path / "reconciler.state.json"
    link.symlink_to(target)
    backend = LocalStateBackend(link)
    state = backend.read()
    backend.checkpoint(state.with_voice(record("a")), ["a"])
    assert journal_of(target).is_file() and not journal_of(link).exists()
    assert link.is_symlink() and "a" in LocalStateBackend(target).read().voices


def test_the_journal_is_private(backend: LocalStateBackend, state_path: Path) -> None:
    state = catalogue(backend, 20)
    old = os.umask(0)
    try:
        backend.checkpoint(state.with_voice(record("a")), ["a"])
    finally:
        os.umask(old)
    assert journal_of(state_path).stat().st_mode & 0o777 == 0o600


def test_a_directory_in_place_of_the_journal_is_named(
    backend: LocalStateBackend, state_path: Path
) -> None:
    state = catalogue(backend, 20)
    journal_of(state_path).mkdir()
    with pytest.raises(
        StateError, match=f"cannot read state journal {journal_of(state_path)}: Is a directory"
    ):
        backend.checkpoint(state.with_voice(record("a")), ["a"])
    assert json.loads(state_path.read_text())["serial"] == state.serial


def test_a_write_folds_the_journal_in_and_backs_up_the_version_it_replaces(
    backend: LocalStateBackend, state_path: Path
) -> None:
    state = catalogue(backend, 20)
    state = backend.checkpoint(state.with_voice(record("a")), ["a"])
    written = backend.write(state.without_voice("v00000"))
    assert not journal_of(state_path).exists()
    assert LocalStateBackend(state_path).read() == written
    backup = LocalStateBackend(Path(f"{state_path}.backup")).read()
    assert backup.serial == state.serial and "a" in backup.voices  # snapshot + journal


def test_lines_a_cut_short_compaction_already_folded_in_are_skipped(
    backend: LocalStateBackend, state_path: Path
) -> None:
    state = catalogue(backend, 20)
    state = backend.checkpoint(state.with_voice(record("a")), ["a"])
    state = backend.checkpoint(state.with_voice(record("b")), ["b"])
    journal = journal_of(state_path).read_bytes()
    with backend.lock("apply", timeout=0):
        state = backend.checkpoint(state.with_voice(record("c")), ["c"])
    # As if killed after the compaction replaced the snapshot, before it removed the journal.
    journal_of(state_path).write_bytes(journal)
    fresh = LocalStateBackend(state_path)
    assert fresh.read() == state
    later = fresh.checkpoint(state.with_voice(record("d")), ["d"])
    assert LocalStateBackend(state_path).read() == later and later.serial == state.serial + 1
