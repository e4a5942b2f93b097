"""sha256 digests of training data, cached by file identity so unchanged data is read once.

A file is taken as unchanged while its path and FileIdentity (size, mtime, ctime, inode,
device) are, as git does; a file changed too shortly before the run to be told apart by
them is not recorded (reconciler.file_identity). A Git LFS pointer stands for its content
(``data.lfs``): its oid is the digest, so a checkout without LFS content digests exactly as
one with it. Each cached file has its own small JSON record, written atomically, so
concurrent runs never see half a record and a damaged record only costs one re-read.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from reconciler.config.model import DataSource
from reconciler.data.files import BLOCK_SIZE, dataset_files
from reconciler.data.lfs import MAX_POINTER_BYTES, read_pointer
from reconciler.data.lock import object_sha256
from reconciler.file_identity import FileIdentity, file_identity, settled
from reconciler.fsutil import atomic_writer

CACHE_ENV = "RECONCILER_CACHE_DIR"
# 2: the identity holds ctime and device too. Records of another format never match.
# Records that say whether the file is a Git LFS pointer ("lfs") came later within format 2:
# one without it is trusted only for a file too large to be a pointer.
FORMAT = 2
# Facts about content (keyed by sha256, data.facts): what a record of them must say.
FACTS_FORMAT = 1
_HEX64 = re.compile("[0-9a-f]{64}")


def default_cache_dir(root_dir: Path, environ: Mapping[str, str]) -> Path:
    override = environ.get(CACHE_ENV)
    return Path(override) if override else root_dir / ".reconciler" / "cache"


@dataclass(frozen=True)
class Content:
    """What a file holds: its sha256 and size, read from a Git LFS pointer if it is one."""

    sha256: str
    size: int
    pointer: bool  # the file is a Git LFS pointer: the content itself is not on disk


class DigestCache:
    def __init__(self, cache_dir: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.cache_dir = cache_dir
        # Before any file is read: what this run reads is recorded only for files that were
        # settled by then.
        self.started_ns = int(clock() * 1e9)
        self.hits = 0
        self.misses = 0
        self.bytes_read = 0  # of training data and letters: hashed, decoded, headers, texts
        self.pointer_bytes = 0  # of Git LFS pointers, read to learn the oid they stand for
        # Within one run, many voices may share a file: keep its record in memory too.
        self._known: dict[tuple[object, ...], Content] = {}
        self._facts: dict[str, dict[str, object]] = {}
        self._analyses: dict[tuple[object, ...], dict[str, object]] = {}

    def file_digest(self, path: Path) -> str:
        """Hex sha256 of the file's content, read only if its identity changed since last
        time; a Git LFS pointer's oid, read from the pointer."""
        return self.content(path).sha256

    def content(self, path: Path, status: os.stat_result | None = None) -> Content:
        """The file's content identity; ``status``: a stat of ``path`` already made."""
        absolute = os.path.abspath(path)
        identity = file_key(absolute, status or os.stat(absolute))
        known = self._known.get(tuple(identity))
        if known is not None:
            self.hits += 1
            return known
        record = self._record_path(absolute)
        cached = _read_record(record)
        if cached is not None and _matches(cached, identity):
            found = _content_of(cached, identity)
            if found is not None:
                self.hits += 1
                self._known[tuple(identity)] = found
                return found
        self.misses += 1
        content = self._read_content(absolute, int(str(identity[1])))
        # A file rewritten while it was being read must not be cached under either version.
        now = _unchanged(absolute, identity)
        if now is not None:
            self._known[tuple(identity)] = content
            if settled(now, self.started_ns):
                fields = {"sha256": content.sha256, "size": content.size, "lfs": content.pointer}
                self._write_record(record, _record(identity, **fields))
        return content

    def _read_content(self, path: str, size: int) -> Content:
        pointer, read = read_pointer(path, size)
        if pointer is not None:
            self.pointer_bytes += read
            return Content(pointer.oid, pointer.size, True)
        return Content(self._hash(path), size, False)

    def facts(self, key: str) -> dict[str, object]:
        """What is known about the content ``key`` names (a sha256, or a zip's sha256 and a
        member's name): header, measurements, transcript facts (``data.facts``). Keyed by
        content, not by file, so a moved or re-cloned file is not read again. The dict is
        the cache's own: change a copy, and hand it to :meth:`save_facts`."""
        known = self._facts.get(key)
        if known is None:
            known = {}
            try:
                raw = json.loads(self._facts_path(key).read_text("utf-8"))
            except (OSError, ValueError):
                raw = None
            if isinstance(raw, dict) and raw.get("format") == FACTS_FORMAT:
                found = raw.get("facts")
                if isinstance(found, dict):
                    known = found
            self._facts[key] = known
        return known

    def save_facts(self, key: str, facts: dict[str, object], identity: list[object]) -> None:
        """Keep what was read of the content ``key`` from the file of ``identity`` (a
        file_key taken before reading): for this run if the file did not change meanwhile,
        on disk too if it was settled when the run began."""
        now = _unchanged(str(identity[0]), identity)
        if now is None:
            return
        self._facts[key] = facts
        if settled(now, self.started_ns):
            record = {"format": FACTS_FORMAT, "facts": facts}
            self._write_record(self._facts_path(key), record)

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

    def _facts_path(self, key: str) -> Path:
        name = hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()
        return self.cache_dir / "content" / name[:2] / f"{name[2:]}.json"

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


def _content_of(record: dict[str, object], identity: list[object]) -> Content | None:
    size = int(str(identity[1]))
    pointer = record.get("lfs")
    if pointer is None:  # written before pointers were told apart
        return None if size <= MAX_POINTER_BYTES else Content(str(record["sha256"]), size, False)
    stated = record.get("size")
    if not isinstance(pointer, bool) or not isinstance(stated, int):
        return None
    return Content(str(record["sha256"]), stated, pointer)


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

    Made only of per-file sha256s and names, so Git LFS pointers give the same digest as the
    files they stand for, and digests recorded by every earlier version still match. A zip in
    object storage is never read here: its digest is the sha256 the YAML declares, or else the
    one reconciler.lock records, the same as the zip's bytes would give, so moving a package
    into a bucket is no change. Apply checks the bytes against it before they reach
    MetaStudio."""
    if source.remote:
        return "sha256:" + object_sha256(source)  # or NoObjectSha256
    if source.kind == "package":
        return "sha256:" + cache.file_digest(source.path)
    listing = hashlib.sha256()
    for item in dataset_files(source.path):
        # JSON lines keep names with odd characters (newlines, quotes) unambiguous.
        line = json.dumps([item.name, cache.file_digest(item.path)], ensure_ascii=False)
        listing.update(line.encode("utf-8", "surrogateescape") + b"\n")
    return "sha256:" + listing.hexdigest()
