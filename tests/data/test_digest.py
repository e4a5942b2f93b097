from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from reconciler.config import DataSource
from reconciler.data import DigestCache, data_digest, default_cache_dir
from reconciler.speechlike import steady_wav
from tests.clocks import a_minute_later, rewrite_in_place


def _cache(tmp_path: Path) -> DigestCache:
    return DigestCache(tmp_path / "cache", clock=a_minute_later)


def test_unchanged_file_is_read_once(tmp_path: Path) -> None:
    data = tmp_path / "a.bin"
    data.write_bytes(b"x" * 3_000_000)
    cache = _cache(tmp_path)
    first = cache.file_digest(data)
    assert first == hashlib.sha256(b"x" * 3_000_000).hexdigest()
    assert (cache.hits, cache.misses, cache.bytes_read) == (0, 1, 3_000_000)
    assert cache.file_digest(data) == first
    assert (cache.hits, cache.misses, cache.bytes_read) == (1, 1, 3_000_000)
    fresh = _cache(tmp_path)  # a later run: the cache lives on disk
    assert fresh.file_digest(data) == first
    assert (fresh.hits, fresh.misses, fresh.bytes_read) == (1, 0, 0)


def test_changed_mtime_rereads(tmp_path: Path) -> None:
    data = tmp_path / "a.bin"
    data.write_bytes(b"same bytes")
    cache = _cache(tmp_path)
    cache.file_digest(data)
    status = data.stat()
    os.utime(data, ns=(status.st_atime_ns, status.st_mtime_ns + 1_000_000_000))
    cache.file_digest(data)
    assert (cache.hits, cache.misses, cache.bytes_read) == (0, 2, 20)


def test_changed_content_of_same_size_is_seen(tmp_path: Path) -> None:
    data = tmp_path / "a.bin"
    data.write_bytes(b"aaaa")
    cache = _cache(tmp_path)
    before = cache.file_digest(data)
    status = data.stat()
    data.write_bytes(b"bbbb")
    os.utime(data, ns=(status.st_atime_ns, status.st_mtime_ns + 5_000_000))
    assert cache.file_digest(data) != before
    assert cache.misses == 2


def test_replaced_file_with_same_stat_but_new_inode_rereads(tmp_path: Path) -> None:
    data = tmp_path / "a.bin"
    data.write_bytes(b"aaaa")
    cache = _cache(tmp_path)
    cache.file_digest(data)
    status = data.stat()
    replacement = tmp_path / "b.bin"
    replacement.write_bytes(b"bbbb")
    os.utime(replacement, ns=(status.st_atime_ns, status.st_mtime_ns))
    keep_inode_busy = tmp_path / "old.bin"
    os.link(data, keep_inode_busy)  # so the new file cannot reuse the old inode number
    os.replace(replacement, data)
    assert cache.file_digest(data) == hashlib.sha256(b"bbbb").hexdigest()
    assert cache.misses == 2


def test_a_wav_rewritten_in_place_with_its_mtime_set_back_is_read_again(tmp_path: Path) -> None:
    """Same size, same inode, same mtime (``cp -p``, ``touch -r``): only ctime tells."""
    data = tmp_path / "0.wav"
    data.write_bytes(steady_wav(2.0, seed=1))
    before = _cache(tmp_path).file_digest(data)
    rewrite_in_place(data, steady_wav(2.0, seed=2))
    run = _cache(tmp_path)  # a later run, with the record of the old bytes on disk
    assert run.file_digest(data) == hashlib.sha256(steady_wav(2.0, seed=2)).hexdigest() != before
    assert (run.hits, run.misses) == (0, 1)
    again = _cache(tmp_path)  # the new bytes are recorded in turn
    assert again.file_digest(data) != before and (again.hits, again.misses) == (1, 0)


def test_a_file_changed_as_the_run_began_is_not_recorded(tmp_path: Path) -> None:
    """git's "racily clean" entries: a rewrite in the same clock tick as the read would keep
    every part of the identity, so a file that new is read again by the next run."""
    data = tmp_path / "a.bin"
    data.write_bytes(b"just written")
    now = DigestCache(tmp_path / "cache")  # the real clock: the run begins right away
    assert now.file_digest(data) == now.file_digest(data)  # within the run, read once
    assert (now.hits, now.misses) == (1, 1)
    assert not list((tmp_path / "cache").rglob("*.json"))
    later = _cache(tmp_path)
    later.file_digest(data)
    assert (later.hits, later.misses) == (0, 1)
    last = _cache(tmp_path)
    last.file_digest(data)
    assert (last.hits, last.misses, last.bytes_read) == (1, 0, 0)


def test_a_record_of_the_previous_format_misses(tmp_path: Path) -> None:
    """Records keyed on (path, size, mtime, inode) are read again, never trusted."""
    data = tmp_path / "a.bin"
    data.write_bytes(b"payload")
    _cache(tmp_path).file_digest(data)
    [record] = (tmp_path / "cache").rglob("*.json")
    status = data.stat()
    identity = [str(data), status.st_size, status.st_mtime_ns, status.st_ino]
    record.write_text(json.dumps({"identity": identity, "sha256": "0" * 64}))
    run = _cache(tmp_path)
    assert run.file_digest(data) == hashlib.sha256(b"payload").hexdigest()
    assert (run.hits, run.misses) == (0, 1)
    assert json.loads(record.read_text())["sha256"] != "0" * 64  # replaced


def test_corrupt_cache_record_is_ignored(tmp_path: Path) -> None:
    data = tmp_path / "a.bin"
    data.write_bytes(b"payload")
    digest = _cache(tmp_path).file_digest(data)
    [record] = (tmp_path / "cache").rglob("*.json")
    for garbage in ("{not json", "[]", json.dumps({"identity": [], "sha256": "zz"}), ""):
        record.write_text(garbage)
        run = _cache(tmp_path)  # a new run: only the record on disk can answer
        assert run.file_digest(data) == digest
        assert run.hits == 0 and run.misses == 1
    run = _cache(tmp_path)
    assert run.file_digest(data) == digest and run.hits == 1  # rewritten on the last miss


def test_cache_leaves_no_temporary_files(tmp_path: Path) -> None:
    data = tmp_path / "a.bin"
    data.write_bytes(b"payload")
    cache = _cache(tmp_path)
    cache.file_digest(data)
    names = [p.name for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert len(names) == 1 and names[0].endswith(".json")


def test_unwritable_cache_is_not_fatal(tmp_path: Path) -> None:
    data = tmp_path / "a.bin"
    data.write_bytes(b"payload")
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    cache = DigestCache(blocker)
    assert cache.file_digest(data) == hashlib.sha256(b"payload").hexdigest()
    next_run = DigestCache(blocker)
    assert next_run.file_digest(data) and next_run.misses == 1  # nothing could be kept


def test_a_run_reads_a_shared_file_record_once(tmp_path: Path) -> None:
    data = tmp_path / "a.bin"
    data.write_bytes(b"payload")
    _cache(tmp_path).file_digest(data)
    [record] = (tmp_path / "cache").rglob("*.json")
    run = _cache(tmp_path)
    run.file_digest(data)
    record.unlink()  # a second look within the run must not need the record on disk
    assert run.file_digest(data) and (run.hits, run.misses, run.bytes_read) == (2, 0, 0)
    data.write_bytes(b"changed")  # ...but a changed file is still noticed
    assert run.file_digest(data) == hashlib.sha256(b"changed").hexdigest() and run.misses == 1


def test_folder_digest_is_over_sorted_names_and_digests(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    for folder, order in (
        (one, ["b.txt", "a.wav", "c/d.txt"]),
        (two, ["c/d.txt", "a.wav", "b.txt"]),
    ):
        for name in order:
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(name)
    (one / ".DS_Store").write_text("ignored")
    cache = _cache(tmp_path)
    digest = data_digest(DataSource("dir", one, "one"), cache)
    assert digest == data_digest(DataSource("segments", two, "two"), cache)
    lines = "".join(
        json.dumps([name, hashlib.sha256(name.encode()).hexdigest()]) + "\n"
        for name in ["a.wav", "b.txt", "c/d.txt"]
    )
    assert digest == "sha256:" + hashlib.sha256(lines.encode()).hexdigest()
    (two / "b.txt").rename(two / "b2.txt")
    assert data_digest(DataSource("dir", two, "two"), cache) != digest


def test_package_digest_is_the_file_digest(tmp_path: Path) -> None:
    package = tmp_path / "p.zip"
    package.write_bytes(b"PK not really")
    digest = data_digest(DataSource("package", package, "p.zip"), _cache(tmp_path))
    assert digest == "sha256:" + hashlib.sha256(b"PK not really").hexdigest()


def test_default_cache_dir(tmp_path: Path) -> None:
    assert default_cache_dir(tmp_path, {}) == tmp_path / ".reconciler" / "cache"
    assert default_cache_dir(tmp_path, {"RECONCILER_CACHE_DIR": "/x/y"}) == Path("/x/y")
