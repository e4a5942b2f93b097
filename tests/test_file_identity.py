"""The one identity every cache keys files on, and when a file is settled enough to record."""

from __future__ import annotations

from pathlib import Path

from reconciler.file_identity import FileIdentity, file_identity, settled
from tests.clocks import rewrite_in_place

SECOND = 1_000_000_000


def test_the_identity_is_size_times_inode_and_device(tmp_path: Path) -> None:
    path = tmp_path / "a.bin"
    path.write_bytes(b"abc")
    status = path.stat()
    expected = (3, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev)
    assert file_identity(status) == expected


def test_a_rewrite_with_the_mtime_set_back_changes_it(tmp_path: Path) -> None:
    path = tmp_path / "a.bin"
    path.write_bytes(b"abc")
    before = file_identity(path.stat())
    rewrite_in_place(path, b"xyz")
    after = file_identity(path.stat())
    assert after._replace(ctime_ns=before.ctime_ns) == before and after != before


def _changed_at(ctime_ns: int) -> FileIdentity:
    return FileIdentity(size=1, mtime_ns=0, ctime_ns=ctime_ns, inode=1, device=1)


def test_a_file_is_settled_a_clock_tick_after_its_last_change() -> None:
    changed = _changed_at(1_700_000_000 * SECOND + 123_456_789)  # sub-second timestamps
    assert not settled(changed, changed.ctime_ns)
    assert not settled(changed, changed.ctime_ns + SECOND // 10)
    assert settled(changed, changed.ctime_ns + SECOND // 10 + 1)


def test_on_a_filesystem_of_whole_seconds_it_takes_two() -> None:
    changed = _changed_at(1_700_000_000 * SECOND)  # FAT, ext3, HFS+
    assert not settled(changed, changed.ctime_ns + SECOND)
    assert not settled(changed, changed.ctime_ns + 2 * SECOND)
    assert settled(changed, changed.ctime_ns + 2 * SECOND + 1)


def test_a_future_mtime_does_not_keep_a_file_from_settling() -> None:
    changed = _changed_at(1_700_000_000 * SECOND + 1)._replace(mtime_ns=2**62)
    assert settled(changed, changed.ctime_ns + SECOND)
