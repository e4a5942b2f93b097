"""Replace a file so that a kill -9 at any instant leaves either the old or the new content;
and turn a failed file operation into one line naming the file and the reason."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from reconciler.errors import ReconcilerError

# Temp names carry the writer's pid so a later writer can tell a dead writer's leftovers
# from a live writer's file in flight.
_TEMP_SUFFIX = ".tmp"


def _temp_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}{_TEMP_SUFFIX}")


def atomic_write(target: Path, data: bytes, mode: int = 0o600) -> None:
    with atomic_writer(target, mode) as stream:
        stream.write(data)


@contextlib.contextmanager
def atomic_writer(target: Path, mode: int = 0o600, *, durable: bool = True) -> Iterator[BinaryIO]:
    """A file to stream ``target``'s new content into. It replaces ``target`` when the block
    ends normally; on an exception ``target`` is left as it was and the temp file removed.

    ``durable`` fsyncs the file and its folder so the new content survives a power failure;
    a cache that is merely read again when its record is lost can skip that cost.
    """
    temp = _temp_path(target)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as stream:
            os.fchmod(fd, mode)  # explicit: neither the umask nor a default ACL gets a say
            yield stream
            stream.flush()
            if durable:
                os.fsync(fd)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    if durable:
        fsync_dir(target.parent)


def create_new(target: Path, data: bytes, mode: int = 0o644) -> None:
    """Write ``target`` whole, durably, only if no file has that name: FileExistsError
    otherwise, with nothing changed. Never a half-written ``target``: the content is complete
    in a temp file before its second name is made (a link, which never replaces)."""
    temp = _temp_path(target)
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as stream:
            os.fchmod(fd, mode)
            stream.write(data)
            stream.flush()
            os.fsync(fd)
        os.link(temp, target)
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()
    fsync_dir(target.parent)


def link_replace(source: Path, target: Path, mode: int = 0o600) -> bool:
    """Make ``target`` a second name of ``source``'s file, replacing it atomically and
    durably, without copying a byte. Only for a ``source`` that is replaced by rename, never
    written in place: the link then keeps this version whatever happens to the name.

    False, with nothing changed, when this cannot link (another filesystem, no hard links,
    not permitted) or the file's mode is not ``mode``: the caller copies instead.
    """
    temp = _temp_path(target)
    try:
        os.link(source, temp)
    except OSError:
        return False
    try:
        if stat.S_IMODE(os.lstat(temp).st_mode) != mode:
            temp.unlink()
            return False
        os.replace(temp, target)
        # A rename onto another name of the same file does nothing, leaving the temp: the
        # case when a kill came after the last link and before ``source`` was replaced.
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    fsync_dir(target.parent)
    return True


def fsync_dir(directory: Path) -> None:
    """Without this the rename itself may be lost on power failure, bringing the old file back."""
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove_stray_temps(target: Path) -> list[Path]:
    """Delete temp files of ``target`` left by writers that died; return what was removed."""
    name_part, suffix = re.escape(target.name), re.escape(_TEMP_SUFFIX)
    pattern = re.compile(rf"^\.{name_part}\.(\d+)\.[0-9a-f]+{suffix}$")
    removed = []
    for name in os.listdir(target.parent):
        match = pattern.match(name)
        if match is None or _alive(int(match.group(1))):
            continue
        with contextlib.suppress(FileNotFoundError):
            (target.parent / name).unlink()
            removed.append(target.parent / name)
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def file_error(
    action: str,
    path: Path,
    error: OSError,
    error_type: type[ReconcilerError] = ReconcilerError,
    *,
    hint: str | None = None,
) -> ReconcilerError:
    """``cannot <action> <path>: <reason>``; the OSError's own text may name a temp file."""
    return error_type(f"cannot {action} {path}: {os_reason(error, path)}", hint=hint)


@contextlib.contextmanager
def file_errors(
    action: str,
    path: Path,
    error_type: type[ReconcilerError] = ReconcilerError,
    *,
    hint: str | None = None,
) -> Iterator[None]:
    """Raise an OSError of the block as :func:`file_error` (the OSError stays as its cause)."""
    try:
        yield
    except OSError as error:
        raise file_error(action, path, error, error_type, hint=hint) from error


def ensure_dir(path: Path, error_type: type[ReconcilerError] = ReconcilerError) -> Path:
    """``mkdir -p``, failing as one line that names the directory (or the file in its way)."""
    with file_errors("create directory", path, error_type):
        path.mkdir(parents=True, exist_ok=True)
    return path


def os_reason(error: OSError, path: Path) -> str:
    """The strerror, plus which component is in the way when a file stands where a directory
    must be: "Not a directory" alone does not say which of the path's parts is the file."""
    reason = error.strerror or str(error)
    if error.errno in (errno.ENOTDIR, errno.EEXIST):
        blocker = _non_directory_on(path)
        if blocker is not None:
            return f"{reason} ({blocker} is not a directory)"
    return reason


def _non_directory_on(path: Path) -> Path | None:
    for candidate in (path, *path.parents):
        if os.path.lexists(candidate):
            return None if candidate.is_dir() else candidate
    return None
