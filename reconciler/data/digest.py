"""sha256 digests of training data, cached by file identity so unchanged data is read once.

A file is taken as unchanged while its path and FileIdentity (size, mtime, ctime, inode,
device) are, as git does; a file changed too shortly before the run to be told apart by
them is not recorded (reconciler.file_identity). Each cached file has its own small JSON
record, written atomically, so concurrent runs never see half a record and a damaged record
only costs one re-read.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from reconciler.config.model import DataSource
from reconciler.data.files import BLOCK_SIZE, dataset_files
from reconciler.file_identity import FileIdentity, file_identity, settled
from reconciler.fsutil import atomic_writer

CACHE_ENV = "RECONCILER_CACHE_DIR"
# 2: the identity holds ctime and device too. Records of another format never match.
FORMAT = 2
_HEX64 = re.compile("[0-9a-f]{64}")


def default_cache_dir(root_dir: Path, environ: Mapping[str, str]) -> Path:
    override = environ.get(CACHE_ENV)
    return Path(override) if override else root_dir / ".reconciler" / "cache"


class DigestCache:
    def __init__(self, cache_dir: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.cache_dir = cache_dir
        # Before any file is read: what this run reads is recorded only for files that were
        # settled by then.
        self.started_ns = int(clock() * 1e9)
        self.hits = 0
        self.misses = 0
        self.bytes_read = 0
        # Within one run, many voices may share a file: keep its record in memory too.
        self._known: dict[tuple[object, ...], str] = {}
        self._analyses: dict[tuple[object, ...], dict[str, object]] = {}

    def file_digest(self, path: Path) -> str:
        """Hex sha256 of the file's bytes, read only if its identity changed since last time."""
        absolute = os.path.abspath(path)
        identity = file_key(absolute, os.stat(absolute))
        known = self._known.get(tuple(identity))
        if known is not None:
            self.hits += 1
            return known
        record = self._record_path(absolute)
        cached = _read_record(record)
        if cached is not None and _matches(cached, identity):
            self.hits += 1
            self._known[tuple(identity)] = str(cached["sha256"])
            return str(cached["sha256"])
        self.misses += 1
        digest = self._hash(absolute)
        # A file rewritten while it was being read must not be cached under either version.
        now = _unchanged(absolute, identity)
        if now is not None:
            self._known[tuple(identity)] = digest
            if settled(now, self.started_ns):
                self._write_record(record, _record(identity, sha256=digest))
        return digest

    def analysis(
        self, identity: list[object], compute: Callable[[], tuple[dict[str, object], int]]
    ) -> dict[str, object]:
        """What ``compute`` found about a file (or zip member) of this identity, kept like a
        digest: ``identity`` starts with the ``file_key`` of the file on disk, so a
        rewritten file is analysed again."""
        key = ("analysis", *identity)
        known = self._analyses.get(key)
        if known is not None:
            self.hits += 1
            return known
        record = self._record_path(json.dumps(key, default=str))
        try:
            cached = json.loads(record.read_text("utf-8"))
        except (OSError, ValueError):
            cached = None
        if isinstance(cached, dict) and _matches(cached, identity):
            found = cached.get("analysis")
            if isinstance(found, dict):
                self.hits += 1
                self._analyses[key] = found
                return found
        self.misses += 1
        result, read = compute()
        self.bytes_read += read
        now = _unchanged(str(identity[0]), identity)
        if now is not None:
            self._analyses[key] = result
            if settled(now, self.started_ns):
                self._write_record(record, _record(identity, analysis=result))
        return result

    def _hash(self, path: str) -> str:
        digest = hashlib.sha256()
        with open(path, "rb") as stream:
            while block := stream.read(BLOCK_SIZE):
                digest.update(block)
                self.bytes_read += len(block)
        return digest.hexdigest()

    def _record_path(self, absolute: str) -> Path:
        name = hashlib.sha256(absolute.encode("utf-8", "surrogateescape")).hexdigest()
        return self.cache_dir / "files" / name[:2] / f"{name[2:]}.json"

    def _write_record(self, record: Path, content: dict[str, object]) -> None:
        try:
            record.parent.mkdir(parents=True, exist_ok=True)
            # Not fsynced: a record lost to a power failure only costs reading the file again.
            with atomic_writer(record, durable=False) as stream:
                stream.write(json.dumps(content).encode("utf-8"))
        except OSError:
            pass  # a cache that cannot be written only means reading the data again next time


def file_key(absolute: str, status: os.stat_result) -> list[object]:
    """What a record is kept under: the file's absolute path and its identity, as JSON has
    them (a list); an analysis of a zip member adds the member's name and CRC."""
    return [absolute, *file_identity(status)]


def _unchanged(absolute: str, identity: list[object]) -> FileIdentity | None:
    """The file's identity now, if ``identity`` (taken before it was read) still holds."""
    now = file_identity(os.stat(absolute))
    return now if identity[: 1 + len(now)] == [absolute, *now] else None


def _record(identity: list[object], **content: object) -> dict[str, object]:
    return {"format": FORMAT, "identity": identity, **content}


def _matches(record: dict[str, object], identity: list[object]) -> bool:
    return record.get("format") == FORMAT and record.get("identity") == identity


def _read_record(record: Path) -> dict[str, object] | None:
    try:
        content = json.loads(record.read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(content, dict) or not _HEX64.fullmatch(str(content.get("sha256"))):
        return None
    return content


def data_digest(source: DataSource, cache: DigestCache) -> str:
    """``sha256:<hex>`` of the data: the zip's bytes, or a folder's sorted (name, digest) list.

    A zip in object storage is never read here: its digest is the sha256 the YAML declares,
    the same as the zip's bytes would give, so moving a package into a bucket is no change.
    Apply checks the bytes against it before they reach MetaStudio."""
    if source.remote and source.sha256 is not None:
        return "sha256:" + source.sha256
    if source.kind == "package":
        return "sha256:" + cache.file_digest(source.path)
    listing = hashlib.sha256()
    for item in dataset_files(source.path):
        # JSON lines keep names with odd characters (newlines, quotes) unambiguous.
        line = json.dumps([item.name, cache.file_digest(item.path)], ensure_ascii=False)
        listing.update(line.encode("utf-8", "surrogateescape") + b"\n")
    return "sha256:" + listing.hexdigest()
