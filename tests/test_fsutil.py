"""The one crash-safe replace of a file, whole or streamed, on real files."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from reconciler.fsutil import atomic_write, atomic_writer


def test_a_streamed_write_replaces_the_file_with_the_mode_asked_for(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    atomic_write(target, b"old")
    with atomic_writer(target, 0o640) as stream:
        for block in (b"new ", b"content"):
            stream.write(block)
        assert target.read_bytes() == b"old"  # nothing shows until the block ends
    assert target.read_bytes() == b"new content"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]


@pytest.mark.parametrize("durable", [True, False])
def test_a_failed_write_keeps_the_old_content_and_leaves_no_temp(
    tmp_path: Path, durable: bool
) -> None:
    target = tmp_path / "out.bin"
    atomic_write(target, b"old")
    with pytest.raises(ConnectionError), atomic_writer(target, durable=durable) as stream:
        stream.write(b"half of it")
        raise ConnectionError("the download broke off")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]
