"""A dataset's files as (name, size, opener), whether they sit in a folder or in a zip.

The content checks read zip members through ``ZipFile.open``: nothing is extracted to disk.
"""

from __future__ import annotations

import functools
import os
import stat
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, cast

from reconciler.config.diagnostics import SURROGATES, display_path, printable
from reconciler.data.digest import DigestCache, file_key
from reconciler.data.files import dataset_files
from reconciler.data.lfs import read_pointer
from reconciler.data.report import Report


@dataclass(frozen=True)
class Entry:
    name: str
    size: int
    open: Callable[[], BinaryIO]
    # What the analysis cache keys on: the file's digest.file_key (a zip's, then the
    # member's name and CRC); None: not cached.
    identity: list[object] | None = None
    # The content's key for facts kept by content (data.facts): its sha256, or a zip's
    # sha256 and the member's name; None: not known.
    key: str | None = None
    pointer: bool = False  # a Git LFS pointer: the bytes are not on disk, ``open`` fails
    locked: dict[str, Any] | None = None  # a pointer's facts, from reconciler.lock


def is_outside(
    root_dir: Path, path: Path, realpath: Callable[[Path], str] = os.path.realpath
) -> bool:
    """True if ``path``, once `..` and symlinks are resolved, leaves ``root_dir``."""
    real_root = realpath(root_dir)
    real = realpath(path)
    return os.path.commonpath([real_root, real]) != real_root


def folder_entries(
    root_dir: Path,
    folder: Path,
    report: Report,
    *,
    contain: bool,
    cache: DigestCache | None = None,
) -> list[Entry]:
    """The folder's files; with ``cache``, each keyed by its content's sha256 (read only
    if the file changed). A Git LFS pointer stands for its content: its size, its oid."""
    entries = []
    for item in dataset_files(folder):
        if SURROGATES.search(item.name):
            # os.fsdecode kept the bytes that are not UTF-8 as surrogates; no zip, HTTP
            # request or terminal takes them, and MetaStudio needs UTF-8 names.
            folder_shown = display_path(folder, root_dir)
            problem = f"name is not valid UTF-8 (in folder {folder_shown}): rename it"
            report.error(problem, printable(item.name))
            continue
        if contain and is_outside(root_dir, item.path):
            target = os.path.realpath(item.path)
            report.error(f"links to {target}, outside the config directory", item.name)
            continue
        try:
            status = item.path.stat()
        except OSError:
            report.error("unreadable (a broken symlink?)", item.name)
            continue
        if not stat.S_ISREG(status.st_mode):
            report.error("not a regular file", item.name)
            continue
        opener = functools.partial(_open_file, item.path)
        identity = file_key(os.path.abspath(item.path), status)
        key: str | None
        if cache is not None:
            content = cache.content(item.path, status)
            size, key, pointer = content.size, content.sha256, content.pointer
        else:
            found, _ = read_pointer(item.path, status.st_size)
            size, pointer = (found.size, True) if found else (status.st_size, False)
            key = found.oid if found else None
        if pointer:
            opener = functools.partial(_no_bytes, item.path)
        entries.append(Entry(item.name, size, opener, identity, key, pointer))
    return entries


def _open_file(path: Path) -> BinaryIO:
    return path.open("rb")


def _no_bytes(path: Path) -> BinaryIO:
    raise OSError(f"{path} is a Git LFS pointer: its content is not checked out")


@contextmanager
def zip_entries(path: Path, report: Report, sha256: str | None = None) -> Iterator[list[Entry]]:
    """The zip's file members; raises zipfile.BadZipFile if it is no zip at all.
    ``sha256``: the zip's, which keys its members' content."""
    try:
        archive = zipfile.ZipFile(path)
    except UnicodeDecodeError as error:  # zipfile decodes names flagged UTF-8 strictly
        byte = error.object[error.start]
        raise zipfile.BadZipFile(
            f"a member name is marked as UTF-8 but is not (byte {byte:#x})"
        ) from error
    with archive:
        status = os.stat(path)
        zip_identity = file_key(os.path.abspath(path), status)
        entries: list[Entry] = []
        seen: set[str] = set()
        for info in archive.infolist():
            if info.is_dir():
                continue
            if info.filename in seen:
                report.error("appears twice in the zip", info.filename)
            elif info.flag_bits & 0x1:
                report.error("encrypted (MetaStudio cannot read it)", info.filename)
            else:
                # ZipExtFile is a binary stream; typeshed only calls it IO[bytes].
                member = cast(Callable[[], BinaryIO], functools.partial(archive.open, info))
                identity = [*zip_identity, info.filename, info.CRC]
                key = None if sha256 is None else member_key(sha256, info.filename)
                entries.append(Entry(info.filename, info.file_size, member, identity, key))
            seen.add(info.filename)
        yield entries


def member_key(zip_sha256: str, name: str) -> str:
    """A zip member's content key: the zip's bytes fix every member's."""
    return f"{zip_sha256}/{name}"
