from __future__ import annotations

import hashlib
import io
import os
import tracemalloc
import zipfile
from pathlib import Path

from reconciler.data import build_package, package_size
from reconciler.speechlike import write_steady_pairs

NAMES = ["b.wav", "a.txt", "sub/z.txt", "数据.txt", "0.wav"]


def _fill(folder: Path, order: list[str]) -> None:
    for index, name in enumerate(order):
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(name.encode() * 100)
        os.utime(path, (1_700_000_000 + index * 1000, 1_700_000_000 + index * 1000))
        path.chmod(0o600 if index % 2 else 0o755)


def _zip(folder: Path) -> bytes:
    buffer = io.BytesIO()
    build_package(folder, buffer)
    return buffer.getvalue()


def test_same_folder_same_bytes_whatever_the_creation_order(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    _fill(first, NAMES)
    _fill(second, list(reversed(NAMES)))
    (second / ".hidden").write_text("left out")
    blob = _zip(first)
    assert blob == _zip(first)  # across runs
    assert blob == _zip(second)  # across creation order, times, modes, hidden files


def test_entries_are_sorted_stored_dated_1980_and_0644(tmp_path: Path) -> None:
    _fill(tmp_path, NAMES)
    with zipfile.ZipFile(io.BytesIO(_zip(tmp_path))) as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == sorted(NAMES)
        for info in infos:
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert info.compress_type == zipfile.ZIP_STORED
            assert info.external_attr >> 16 == 0o100644
            assert info.create_system == 3
            assert archive.read(info) == info.filename.encode() * 100
        assert archive.testzip() is None


def test_known_digest_pins_the_format(tmp_path: Path) -> None:
    (tmp_path / "0.txt").write_text("hello\n")
    digest = hashlib.sha256(_zip(tmp_path)).hexdigest()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("0.txt", date_time=(1980, 1, 1, 0, 0, 0))
        info.create_system, info.external_attr = 3, 0o100644 << 16
        archive.writestr(info, "hello\n")
    assert digest == hashlib.sha256(buffer.getvalue()).hexdigest()


def test_package_size_is_exact(tmp_path: Path) -> None:
    write_steady_pairs(tmp_path / "set", 3, seconds=0.5)
    (tmp_path / "set" / "名字.txt").write_text("x")
    blob = _zip(tmp_path / "set")
    entries = [(p.name, p.stat().st_size) for p in (tmp_path / "set").iterdir()]
    assert package_size(entries) == len(blob)


def test_package_size_counts_zip64_for_huge_entries() -> None:
    huge = 5 * 1024**3
    assert package_size([("a.wav", huge)]) > huge + 100


class _Pipe(io.RawIOBase):
    """A destination that cannot seek, like a socket or a pipe."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, chunk: bytes) -> int:  # type: ignore[override]
        self.data += chunk
        return len(chunk)


def test_unseekable_destination_gets_a_valid_deterministic_zip(tmp_path: Path) -> None:
    _fill(tmp_path, NAMES)
    pipes = [_Pipe(), _Pipe()]
    for pipe in pipes:
        build_package(tmp_path, pipe)  # type: ignore[arg-type]
    assert pipes[0].data == pipes[1].data
    with zipfile.ZipFile(io.BytesIO(bytes(pipes[0].data))) as archive:
        assert archive.testzip() is None


def test_files_are_streamed_not_loaded(tmp_path: Path) -> None:
    folder = tmp_path / "set"
    folder.mkdir()
    size = 48 * 1024 * 1024
    with (folder / "big.wav").open("wb") as big:
        big.truncate(size)
    with (tmp_path / "set.zip").open("wb") as dest:
        tracemalloc.start()
        try:
            build_package(folder, dest)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 4 * 1024 * 1024
    with zipfile.ZipFile(tmp_path / "set.zip") as archive:
        assert archive.getinfo("big.wav").file_size == size
