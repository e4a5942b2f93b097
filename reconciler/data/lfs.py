"""Git LFS pointers: a data file's sha256 and size without its bytes, and fetching the bytes.

A checkout made without LFS content (``GIT_LFS_SKIP_SMUDGE=1``, or a CI runner's
``lfs: false``) holds, in place of each large file, a pointer of at most 1024 bytes (Git
LFS spec v1)::

    version https://git-lfs.github.com/spec/v1
    oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393
    size 12345

The oid is the sha256 of the file's content, so every digest that is made of per-file
sha256s can be taken from the pointer exactly as from the file. Only apply needs the bytes;
it fetches the files it uploads with ``git lfs pull --include``.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from reconciler.errors import ReconcilerError

MAX_POINTER_BYTES = 1024  # the spec's bound: a larger file is never a pointer
_VERSION = b"version https://git-lfs.github.com/spec/v1\n"
_POINTER = re.compile(
    rb"version https://git-lfs\.github\.com/spec/v1\n"
    rb"(?:[a-z0-9.-]+ [^\n]*\n)*?"  # extension lines (ext-0-name ...) sort before "oid"
    rb"oid sha256:(?P<oid>[0-9a-f]{64})\n"
    rb"size (?P<size>0|[1-9][0-9]{0,18})\n"
)
_INCLUDE_CHARS = 60_000  # per `git lfs pull` call: stays far below any argv limit
# Apply uploads voices in parallel, but two `git lfs pull` in one work tree contend for its
# index lock: one at a time.
_PULLING = threading.Lock()
UNTOUCHED = "nothing was created, deleted or uploaded"


@dataclass(frozen=True)
class Pointer:
    oid: str  # hex sha256 of the content
    size: int  # bytes of the content


def parse_pointer(head: bytes) -> Pointer | None:
    """The pointer these bytes (a whole file) are, or None."""
    if len(head) > MAX_POINTER_BYTES or not head.startswith(_VERSION):
        return None
    match = _POINTER.fullmatch(head)
    if match is None:
        return None
    return Pointer(match["oid"].decode("ascii"), int(match["size"]))


def read_pointer(path: Path | str, size: int) -> tuple[Pointer | None, int]:
    """(the pointer the file at ``path`` is, or None; the bytes read to tell). ``size``:
    the file's size, from a stat already made; larger files are never opened."""
    if size > MAX_POINTER_BYTES or size < len(_VERSION):
        return None, 0
    with open(path, "rb") as stream:
        head = stream.read(MAX_POINTER_BYTES + 1)
    return parse_pointer(head), len(head)


class LfsFetchError(ReconcilerError):
    """Git LFS could not provide the content of a pointer apply must upload."""


def repo_root(folder: Path) -> Path | None:
    """The top of the Git work tree holding ``folder``, or None (no Git, or not in one)."""
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return None
    top = done.stdout.strip()
    return Path(top) if done.returncode == 0 and top else None


def pointers_among(paths: Iterable[Path]) -> dict[Path, Pointer]:
    """Those of ``paths`` that are Git LFS pointers, with what they point at. Only files of
    at most 1024 bytes are opened."""
    pointers: dict[Path, Pointer] = {}
    for path in paths:
        found, _ = read_pointer(path, os.stat(path).st_size)
        if found is not None:
            pointers[path] = found
    return pointers


def materialize(pointers: Mapping[Path, Pointer], *, where: Callable[[Path], str]) -> None:
    """Fetch the content of these pointer files (only theirs) and check each against its
    pointer's sha256 and size. ``where(path)`` names the file in messages, with the YAML line
    that asks for it. Apply calls this before a voice's first step, so on any problem
    nothing was created, deleted or uploaded for it."""
    if not pointers:
        return
    with _PULLING:
        failure = _pull(list(pointers), where)
    for path, pointer in pointers.items():
        still, _ = read_pointer(path, os.stat(path).st_size)
        if still is not None:
            why = f" ({failure})" if failure else ""
            raise LfsFetchError(
                f"{where(path)}: the Git LFS object sha256:{pointer.oid} could not be "
                f"fetched{why}: push it to the LFS server (git lfs push --all) or check it "
                f"out by hand; {UNTOUCHED}"
            )
        digest, size = _sha256(path)
        if (digest, size) != (pointer.oid, pointer.size):
            raise LfsFetchError(
                f"{where(path)}: its content (sha256:{digest}, {size} bytes) differs from "
                f"its Git LFS pointer (sha256:{pointer.oid}, {pointer.size} bytes), which "
                f"the plan was made from: fetch it again (git lfs pull); {UNTOUCHED}"
            )


def _sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as stream:
        while block := stream.read(1 << 20):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _pull(paths: Sequence[Path], where: Callable[[Path], str]) -> str | None:
    """``git lfs pull --include=<their paths>`` in the repository's root; what it said
    when it failed, else None."""
    root = repo_root(paths[0].parent)
    if root is None:
        raise LfsFetchError(
            f"{where(paths[0])}: a Git LFS pointer outside any Git work tree: "
            f"put the real file there; {UNTOUCHED}"
        )
    failure = None
    for batch in _batches(_relative(root, paths)):
        try:
            done = subprocess.run(
                ["git", "lfs", "pull", f"--include={batch}"],
                cwd=root,
                capture_output=True,
                text=True,
                check=False,
            )
        except OSError as error:
            raise LfsFetchError(
                f"{where(paths[0])}: cannot run git lfs to fetch the training data "
                f"({error.strerror}): install git-lfs (https://git-lfs.com); {UNTOUCHED}"
            ) from error
        if done.returncode != 0:
            failure = _last_line(done.stderr) or f"git lfs pull: exit status {done.returncode}"
    return failure


def _relative(root: Path, paths: Iterable[Path]) -> list[str]:
    real_root = os.path.realpath(root)
    found = []
    for path in paths:
        relative = os.path.relpath(os.path.realpath(path), real_root)
        # git lfs splits --include at commas and has no escape for one, so a comma is asked
        # for as "?" (any one character). A wildcard, ours or one in a name, may fetch more
        # than the file: harmless, as every file is checked against its pointer's sha256
        # afterwards.
        found.append(Path(relative).as_posix().replace(",", "?"))
    return sorted(set(found))


def _batches(patterns: list[str]) -> Iterable[str]:
    batch: list[str] = []
    length = 0
    for pattern in patterns:
        if batch and length + len(pattern) + 1 > _INCLUDE_CHARS:
            yield ",".join(batch)
            batch, length = [], 0
        batch.append(pattern)
        length += len(pattern) + 1
    if batch:
        yield ",".join(batch)


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""
