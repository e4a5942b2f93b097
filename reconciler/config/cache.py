"""The assembled configuration of unchanged files, kept so a warm plan neither parses nor
assembles them again (2.2 s of YAML and 1.1 s of assembly at 10,000 voices).

An entry is plain JSON, never pickle: loading it runs no code, whoever wrote the folder.
It is keyed by everything the result depends on: each file's name and exact bytes, the
config directory, the schema, and the source of the code that parses and assembles (so a
changed loader never serves an old answer). Each config location has one slot, replaced
when the files change, so the folder does not grow with every edit. Locations (file, line,
column) are kept for every field, so later messages point where they did. Anything wrong
with an entry (unreadable, corrupt, another format) only means it is rebuilt from the YAML.

A configuration holding a phone number is not cached: the number is personal data and the
cache should not hold a second copy of it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from reconciler.config.diagnostics import Location
from reconciler.config.model import Config, DataSource, Provider, StateSettings, VoiceSpec
from reconciler.config.schema import schema_fingerprint
from reconciler.fsutil import atomic_write

FORMAT = 2  # 2: every VoiceSpec field, and the state section
# The modules whose code decides what a file assembles to.
SOURCES = ("assemble.py", "cache.py", "check.py", "loader.py", "model.py")


def _code_fingerprint() -> bytes:
    digest = hashlib.sha256(str(FORMAT).encode())
    here = Path(__file__).parent
    for name in SOURCES:
        digest.update((here / name).read_bytes())
    digest.update(schema_fingerprint().encode())
    return digest.digest()


def content_key(root_dir: Path, files: Sequence[Path]) -> str:
    """Changes whenever anything the assembled Config depends on does."""
    digest = hashlib.sha256(_code_fingerprint())
    digest.update(os.fsencode(root_dir) + b"\0")
    for file in files:
        digest.update(os.fsencode(file) + b"\0")
        data = file.read_bytes()
        digest.update(f"{len(data)}\0".encode() + data)
    return digest.hexdigest()


def _slot(cache_dir: Path, path: Path) -> Path:
    name = hashlib.sha256(os.fsencode(path)).hexdigest()
    return cache_dir / "config" / f"{name}.json"


def cached_config(
    path: Path, root_dir: Path, files: Sequence[Path], cache_dir: Path
) -> Config | None:
    """The Config stored for exactly these files, or None (then parse and ``store_config``)."""
    try:
        key = content_key(root_dir, files)
        raw = json.loads(_slot(cache_dir, path).read_bytes())
        if not isinstance(raw, dict) or raw.get("key") != key:
            return None
        return _decode(raw["config"])
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None


def store_config(path: Path, config: Config, key: str, cache_dir: Path) -> None:
    """Keep ``config`` as what files with content ``key`` assemble to (best effort)."""
    if any(voice.phone for voice in config.voices.values()):
        return
    try:
        if content_key(config.root_dir, config.files) != key:
            return  # a file changed while it was read: the entry could mix two versions
        encoded = _encode(config)
        text = json.dumps({"key": key, "config": encoded}, separators=(",", ":"))
        if _encode(_decode(json.loads(text)["config"])) != encoded:
            return  # a value JSON does not keep exactly (a non-string key, say)
        slot = _slot(cache_dir, path)
        slot.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(slot, text.encode("ascii"))
    except (OSError, TypeError, ValueError, KeyError):
        # An unwritable cache, or a value JSON cannot hold: it only costs time.
        with contextlib.suppress(OSError):
            _slot(cache_dir, path).unlink(missing_ok=True)


def _encode(config: Config) -> dict[str, Any]:
    """Every field of every voice, whatever fields VoiceSpec gains: one left out would be a
    setting silently lost on a warm run (a cache hit must equal a fresh assembly)."""
    files = {file: index for index, file in enumerate(config.files)}

    def where(location: Location) -> list[Any]:
        return [files[location.file], location.line, location.column]

    def value(name: str, item: Any) -> Any:
        if name == "data":
            return [item.kind, str(item.path), item.declared]
        if name == "source":
            return where(item)
        if name == "field_locations":
            return {key: where(loc) for key, loc in item.items()}
        if isinstance(item, Path):
            return {"path": str(item)}
        if isinstance(item, Mapping):
            return dict(item)
        return item

    voices = [
        [name, {f.name: value(f.name, getattr(voice, f.name)) for f in _VOICE_FIELDS}]
        for name, voice in config.voices.items()
    ]
    provider = config.provider
    return {
        "root_dir": str(config.root_dir),
        "files": [str(file) for file in config.files],
        "provider": [
            provider.region,
            provider.endpoint,
            provider.project_id,
            provider.app_user_id,
            dict(provider.extra),
        ],
        "state_path": str(config.state_path),
        "state": dataclasses.asdict(config.state),
        "voices": voices,
    }


_VOICE_FIELDS = dataclasses.fields(VoiceSpec)


class _Locations(Mapping[str, Location]):
    """Field locations made when asked for: most are never needed (only for a message), and
    making them all was most of a cache hit's cost."""

    __slots__ = ("_files", "_marks")

    def __init__(self, files: tuple[Path, ...], marks: dict[str, list[Any]]) -> None:
        if not isinstance(marks, dict):
            raise TypeError("field locations are a mapping")
        self._files, self._marks = files, marks

    def __getitem__(self, key: str) -> Location:
        try:
            return _location(self._files, self._marks[key])
        except (TypeError, ValueError, IndexError):
            # Only a hand-edited entry gets here: location_of() falls back to the voice.
            raise KeyError(key) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._marks)

    def __len__(self) -> int:
        return len(self._marks)


def _location(files: tuple[Path, ...], mark: list[Any]) -> Location:
    index, line, column = mark
    if type(index) is not int or type(line) is not int or type(column) is not int:
        raise TypeError("a location is three numbers")
    return Location(files[index], line, column)


def _decode(raw: dict[str, Any]) -> Config:
    files = tuple(Path(file) for file in raw["files"])
    paths: dict[str, Path] = {}  # voices often share a package: parse each path once

    def path(text: str) -> Path:
        if text not in paths:
            paths[text] = Path(text)
        return paths[text]

    def value(name: str, item: Any) -> Any:
        if name == "data":
            kind, data_path, declared = item
            return DataSource(kind, path(data_path), declared)
        if name == "source":
            return _location(files, item)
        if name == "field_locations":
            return _Locations(files, item)
        if isinstance(item, dict) and set(item) == {"path"}:
            return path(item["path"])
        return item

    voices = {
        name: VoiceSpec(**{key: value(key, item) for key, item in entry.items()})
        for name, entry in raw["voices"]
    }
    region, endpoint, project_id, app_user_id, extra = raw["provider"]
    return Config(
        root_dir=Path(raw["root_dir"]),
        files=files,
        provider=Provider(region, endpoint, project_id, app_user_id, extra),
        state_path=Path(raw["state_path"]),
        voices=voices,
        state=StateSettings(**raw["state"]),
    )
