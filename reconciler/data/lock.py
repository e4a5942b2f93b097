"""``reconciler.lock``: the training data's sha256s, sizes and measurements, committed beside
the YAML like a package lock, so a checkout without the Git LFS content still plans.

One key per data path (relative to the config directory, as voices name it): a folder lists
its files, a zip or letter gives its own sha256 and size (a zip also its members), and every
file carries the facts the preflight judges (``data.facts``: WAV header, measurements,
transcript facts). Written sorted, one line per file, so a changed recording is a one-line
diff. ``reconciler validate --update-lock`` writes it where the data is present.
"""

from __future__ import annotations

import functools
import json
import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from reconciler.config.diagnostics import Diagnostic, Location
from reconciler.config.model import LOCK_NAME, OBJECT_STORE_SCHEMES, DataSource
from reconciler.errors import ConfigError
from reconciler.file_identity import FileIdentity, file_identity
from reconciler.fsutil import atomic_writer

LOCK_VERSION = 1
UPDATE_COMMAND = "reconciler validate --update-lock"
_HEX = frozenset("0123456789abcdef")


@dataclass
class DataLock:
    """``data``: path -> {"files": {name: file}} for a folder, or a file's own entry
    ({"sha256", "size", and "members": {name: member} for a zip})."""

    path: Path
    data: dict[str, dict[str, Any]] = field(default_factory=dict)

    def file(self, source: str) -> dict[str, Any] | None:
        """The entry of the zip or letter at ``source``, if the lock has a sound one."""
        entry = self.data.get(source)
        if entry is None or not _is_file(entry):
            return None
        return entry

    def folder(self, source: str) -> dict[str, dict[str, Any]] | None:
        """The files the lock lists in the folder ``source``, by name."""
        entry = self.data.get(source)
        files = entry.get("files") if entry is not None else None
        if not isinstance(files, dict):
            return None
        return {n: f for n, f in files.items() if isinstance(f, dict) and _is_file(f)}


def lock_path(root_dir: Path) -> Path:
    return root_dir / LOCK_NAME


def load_lock(root_dir: Path) -> tuple[DataLock | None, list[Diagnostic]]:
    """The lock beside the configuration, None if there is none; a damaged one is a located
    error (and no lock)."""
    path = lock_path(root_dir)
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return None, []
    except (OSError, UnicodeDecodeError) as error:
        return None, [_problem(path, None, f"cannot be read: {error}")]
    try:
        raw = json.loads(text)
    except ValueError as error:
        line = getattr(error, "lineno", None)
        return None, [_problem(path, line, f"is not valid JSON ({error})")]
    if not isinstance(raw, dict) or not isinstance(raw.get("data"), dict):
        return None, [_problem(path, 1, 'is not a data lock (no "data" object)')]
    if raw.get("lock_version") != LOCK_VERSION:
        version = raw.get("lock_version")
        return None, [_problem(path, 1, f"has lock_version {version!r}, this reads {LOCK_VERSION}")]
    damage = best_match(_validator().iter_errors(raw))
    if damage is not None:  # a hand edit or a bad merge: its facts cannot be trusted
        where = _json_path(damage.absolute_path)
        line = _line_of(text, list(damage.absolute_path))
        return None, [_problem(path, line, f"is damaged at {where}: {_reason(damage)}")]
    return DataLock(path, raw["data"]), []


@functools.cache
def _validator() -> Draft202012Validator:
    text = resources.files("reconciler").joinpath("schemas/lock.schema.json").read_text("utf-8")
    return Draft202012Validator(json.loads(text))


def _json_path(path: Sequence[object]) -> str:
    """``data["data/x"]["files"]["0.wav"]["sha256"]``: the first key bare, as in JavaScript."""
    if not path:
        return "the top"
    head, *rest = path
    return f"{head}" + "".join(f"[{json.dumps(p, ensure_ascii=False)}]" for p in rest)


def _reason(error: ValidationError) -> str:
    if error.validator == "pattern":
        return f"{json.dumps(error.instance)} is not a lowercase hexadecimal sha256"
    if error.validator == "anyOf":  # the only one: a measurement's value
        shown = json.dumps(error.instance, ensure_ascii=False)
        return f"{shown} is not a measurement (a number, text, true/false, null or a list)"
    if error.validator == "oneOf":
        return 'neither a folder ({"files": ...}) nor a file ({"sha256", "size"})'
    return error.message


def _line_of(text: str, path: list[object]) -> int:
    """The line where ``path`` lives in the lock as ``render_lock`` lays it out (its data
    path, then its file's name on a line of its own); 1 when the layout is another."""
    keys = [p for p in path[1:] if isinstance(p, str) and p not in ("files", "members")]
    lines = text.splitlines()
    line, at = 1, 0
    for key in keys[:2]:
        needle = json.dumps(key, ensure_ascii=False) + ":"
        for number in range(at, len(lines)):
            if lines[number].lstrip().startswith(needle):
                line, at = number + 1, number + 1
                break
        else:
            break
    return line


def _problem(path: Path, line: int | None, message: str) -> Diagnostic:
    hint = f"; write it again with `{UPDATE_COMMAND}` where the data is present"
    return Diagnostic.at(Location(path, line), "reconciler.lock", f"{path.name} {message}{hint}")


def _is_file(entry: Mapping[str, Any]) -> bool:
    digest, size = entry.get("sha256"), entry.get("size")
    hexadecimal = isinstance(digest, str) and len(digest) == 64 and set(digest) <= _HEX
    return hexadecimal and isinstance(size, int) and not isinstance(size, bool) and size >= 0


def render_lock(data: Mapping[str, Mapping[str, Any]]) -> str:
    """Sorted JSON, one line per file or member: stable bytes, small diffs."""
    sources = []
    for source in sorted(data):
        entry = data[source]
        nested = "files" if "files" in entry else "members" if "members" in entry else None
        head = {k: v for k, v in entry.items() if k != nested}
        opening = _line(head)[:-1]  # the entry's own fields, then its files
        if nested is None:
            sources.append(f"  {_line(source)}: {_line(head)}")
            continue
        rows = [f"    {_line(n)}: {_line(f)}" for n, f in sorted(entry[nested].items())]
        body = ",\n".join(rows)
        separator = ", " if head else ""
        inner = f"{{\n{body}\n  }}" if rows else "{}"
        sources.append(f"  {_line(source)}: {opening}{separator}{_line(nested)}: {inner}}}")
    listing = ",\n".join(sources)
    data_text = f"{{\n{listing}\n}}" if sources else "{}"
    return f'{{"lock_version": {LOCK_VERSION}, "data": {data_text}}}\n'


def _line(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(", ", ": "))


def write_lock(root_dir: Path, data: Mapping[str, Mapping[str, Any]]) -> Path:
    """Replace the lock atomically (readable by all: it is committed, and holds no secret)."""
    path = lock_path(root_dir)
    with atomic_writer(path, 0o644) as stream:
        stream.write(render_lock(data).encode("utf-8"))
    return path


class NoObjectSha256(ConfigError):
    """An object-store zip whose sha256 neither the YAML nor the lock gives."""

    def __init__(self, source: DataSource) -> None:
        super().__init__(
            f"{source.declared} has no sha256: the YAML gives none beside the URL and "
            f"{LOCK_NAME} has no entry for it",
            hint=f"run `{UPDATE_COMMAND}` where the object can be read (it reads it once and "
            "records its sha256), or write sha256: beside the URL",
        )


# The object-store sha256s each lock file records, by URL, with the file's identity then.
_OBJECTS: dict[Path, tuple[FileIdentity, dict[str, str]]] = {}
_OBJECTS_GUARD = threading.Lock()


def object_sha256(source: DataSource) -> str:
    """The sha256 an object-store zip is planned and checked by: the YAML's, else the one
    its lock records (read again only when the lock file changed; a damaged entry counts as
    none, the preflight reports it). Raises NoObjectSha256 when neither gives one."""
    sha256 = source.sha256
    if sha256 is None and source.lock is not None:
        sha256 = _locked_sha256s(source.lock).get(source.declared)
    if sha256 is None:
        raise NoObjectSha256(source)
    return sha256


def _locked_sha256s(path: Path) -> dict[str, str]:
    try:
        identity = file_identity(os.stat(path))  # size, times, inode: any rewrite shows
    except OSError:
        return {}
    with _OBJECTS_GUARD:
        known = _OBJECTS.get(path)
        if known is not None and known[0] == identity:
            return known[1]
        lock, _ = load_lock(path.parent)
        found = {
            source: entry["sha256"]
            for source, entry in (lock.data if lock is not None else {}).items()
            if source.startswith(OBJECT_STORE_SCHEMES) and _is_file(entry)
        }
        _OBJECTS[path] = (identity, found)
        return found
