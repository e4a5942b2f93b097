"""The assembled configuration of unchanged files, kept so a warm plan neither parses nor
assembles them again (2.2 s of YAML and 1.1 s of assembly at 10,000 voices).

An entry is plain JSON, never pickle: loading it runs no code, whoever wrote the folder.
It is keyed by everything the result depends on: each file's name and exact bytes, the
config directory, the schema, and the source of the code that parses and assembles (so a
changed loader never serves an old answer). Each config location has one slot, replaced
when the files change, so the folder does not grow with every edit. Locations (file, line,
column) are kept for every field, so later messages point where they did. Anything wrong
with an entry (unreadable, corrupt, another format) only means it is rebuilt from the YAML.

An entry is lines, so that a hit decodes only what it uses (a saved plan's apply touches 30
voices of 100,000): a header (key, provider, state section), a compact index of every
voice's data and letter (what the config digest needs), then one line per voice, turned
into its VoiceSpec on first use.

A configuration holding a phone number is not cached: the number is personal data and the
cache should not hold a second copy of it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import threading
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from reconciler import attributes
from reconciler.config.diagnostics import Location
from reconciler.config.model import (
    Config,
    ConfiguredVoices,
    DataSource,
    MovedEntry,
    Provider,
    RemovedEntry,
    StateSettings,
    VoiceData,
    VoiceSpec,
)
from reconciler.config.schema import schema_fingerprint
from reconciler.errors import ConfigError
from reconciler.fsutil import atomic_write

# 5: object-store data (sha256, endpoint, region) in the data index; 4: moved and removed in
# the header; 3: lines (header, data index, one per voice); 2: every
# field, state section
FORMAT = 5
# The modules whose code decides what a file assembles to.
SOURCES = ("assemble.py", "cache.py", "check.py", "dsn.py", "history.py", "loader.py", "model.py")
# Taken from the data index, not the voice's line: one copy, and the digest needs no line.
_INDEXED = ("data", "authorization_letter")
_VOICE_FIELDS = tuple(f for f in dataclasses.fields(VoiceSpec) if f.name not in _INDEXED)
# Encoded as {"path": ...}: JSON has no paths.
_PATH_FIELDS = frozenset(
    name
    for name, hint in typing.get_type_hints(VoiceSpec).items()
    if name not in _INDEXED and (hint is Path or Path in typing.get_args(hint))
)
_DECODER = json.JSONDecoder()
_ERRORS = (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError)

Rebuild = Callable[[], Mapping[str, VoiceSpec]]


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


def cached_config(path: Path, key: str, cache_dir: Path, rebuild: Rebuild) -> Config | None:
    """The Config stored for files with content ``key``, or None (then parse and
    ``store_config``). ``rebuild`` assembles the voices from the YAML again: it is called
    only if a voice's line turns out damaged when the voice is first used."""
    try:
        head, index, *lines = _slot(cache_dir, path).read_bytes().split(b"\n")
        header = json.loads(head)
        if not isinstance(header, dict) or header.get("key") != key:
            return None
        return _decode(header["config"], json.loads(index), lines, rebuild)
    except _ERRORS:
        return None


def store_config(path: Path, config: Config, key: str, cache_dir: Path) -> None:
    """Keep ``config`` as what files with content ``key`` assemble to (best effort)."""
    personal = [a.name for a in attributes.TABLE.entries if a.personal]
    if any(getattr(voice, name) for voice in config.voices.values() for name in personal):
        return
    try:
        if content_key(config.root_dir, config.files) != key:
            return  # a file changed while it was read: the entry could mix two versions
        lines = _encode(config, key)
        head, index, *voices = (line.encode("ascii") for line in lines)
        decoded = _decode(json.loads(head)["config"], json.loads(index), voices, _unkept)
        if _encode(decoded, key) != lines:
            return  # a value JSON does not keep exactly (a non-string key, say)
        slot = _slot(cache_dir, path)
        slot.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(slot, "\n".join(lines).encode("ascii"))
    except (OSError, TypeError, ValueError, KeyError):
        # An unwritable cache, or a value JSON cannot hold: it only costs time.
        with contextlib.suppress(OSError):
            _slot(cache_dir, path).unlink(missing_ok=True)


def _unkept() -> Mapping[str, VoiceSpec]:
    raise ValueError("a voice did not decode as it was encoded")


def _dumps(value: Any) -> str:
    # ASCII: a line is one voice, and no character of a value can break it.
    return json.dumps(value, separators=(",", ":"))


def _encode(config: Config, key: str) -> list[str]:
    """Every field of every voice, whatever fields VoiceSpec gains: one left out would be a
    setting silently lost on a warm run (a cache hit must equal a fresh assembly)."""
    files = {file: index for index, file in enumerate(config.files)}

    def where(location: Location) -> list[Any]:
        return [files[location.file], location.line, location.column]

    def value(name: str, item: Any) -> Any:
        if name == "source":
            return where(item)
        if name == "field_locations":
            return [part for key, loc in item.items() for part in (key, *where(loc))]
        if isinstance(item, Path):
            return {"path": str(item)}
        if isinstance(item, Mapping):
            return dict(item)
        return item

    provider = config.provider
    header = {
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
        "moved": [
            [m.source, m.target, m.path, where(m.source_at), where(m.target_at)]
            for m in config.moved
        ],
        "removed": [[r.source, r.destroy, r.path, where(r.source_at)] for r in config.removed],
    }
    voices = [
        _dumps([name, {f.name: value(f.name, getattr(voice, f.name)) for f in _VOICE_FIELDS}])
        for name, voice in config.voices.items()
    ]
    index = _encode_index(config.voices.data_index())
    return [_dumps({"key": key, "config": header}), _dumps(index), *voices]


def _encode_index(entries: Sequence[VoiceData]) -> dict[str, Any]:
    """Each distinct data source and letter once: voices often share a package."""
    sources: dict[DataSource, int] = {}
    letters: dict[Path, int] = {}
    voices = []
    for entry in entries:
        source = sources.setdefault(entry.data, len(sources))
        letter = entry.authorization_letter
        voices.append(
            [
                entry.name,
                source,
                None if letter is None else letters.setdefault(letter, len(letters)),
            ]
        )
    return {
        "sources": [
            [s.kind, str(s.path), s.declared, s.sha256, s.endpoint, s.region] for s in sources
        ],
        "letters": [str(letter) for letter in letters],
        "voices": voices,
    }


def _decode_index(raw: dict[str, Any]) -> list[VoiceData]:
    sources = [DataSource(kind, Path(path), *rest) for kind, path, *rest in raw["sources"]]
    letters = [Path(letter) for letter in raw["letters"]]
    return [
        VoiceData(name, sources[source], None if letter is None else letters[letter])
        for name, source, letter in raw["voices"]
    ]


class _Locations(Mapping[str, Location]):
    """Field locations made when asked for: most are never needed (only for a message), and
    making them all was most of a cache hit's cost. They are kept flat, ``[key, file, line,
    column, key, ...]``: one JSON list a voice, not one a field, halves what a plan decodes."""

    __slots__ = ("_files", "_marks")

    def __init__(self, files: tuple[Path, ...], marks: list[Any]) -> None:
        if not isinstance(marks, list) or len(marks) % 4:
            raise TypeError("field locations are a flat list of (key, file, line, column)")
        self._files, self._marks = files, marks

    def __getitem__(self, key: str) -> Location:
        try:
            at = 4 * self._marks[::4].index(key)
            return _location(self._files, self._marks[at + 1 : at + 4])
        except (TypeError, ValueError, IndexError):
            # Not there, or (only in a hand-edited entry) not a location: location_of()
            # falls back to the voice.
            raise KeyError(key) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._marks[::4])

    def __len__(self) -> int:
        return len(self._marks) // 4


def _location(files: tuple[Path, ...], mark: list[Any]) -> Location:
    index, line, column = mark
    if type(index) is not int or type(line) is not int or type(column) is not int:
        raise TypeError("a location is three numbers")
    return Location(files[index], line, column)


def _decode(
    raw: dict[str, Any], index: dict[str, Any], lines: list[bytes], rebuild: Rebuild
) -> Config:
    files = tuple(Path(file) for file in raw["files"])
    region, endpoint, project_id, app_user_id, extra = raw["provider"]
    return Config(
        root_dir=Path(raw["root_dir"]),
        files=files,
        provider=Provider(region, endpoint, project_id, app_user_id, extra),
        state_path=Path(raw["state_path"]),
        voices=_CachedVoices(_decode_index(index), lines, files, rebuild),
        state=StateSettings(**raw["state"]),
        moved=tuple(
            MovedEntry(source, target, path, _location(files, at), _location(files, to))
            for source, target, path, at, to in raw["moved"]
        ),
        removed=tuple(
            RemovedEntry(source, destroy, path, _location(files, at))
            for source, destroy, path, at in raw["removed"]
        ),
    )


class _CachedVoices(ConfiguredVoices):
    """Voices whose specs are made from their lines on first use and then kept. Apply reads
    them from worker threads: a lock makes each one once, so all threads share it."""

    __slots__ = ("_files", "_fresh", "_index", "_lines", "_lock", "_position", "_rebuild")

    def __init__(
        self, index: list[VoiceData], lines: list[bytes], files: tuple[Path, ...], rebuild: Rebuild
    ) -> None:
        super().__init__({})  # the specs made so far
        self._position = {entry.name: at for at, entry in enumerate(index)}
        if not all(isinstance(name, str) for name in self._position):
            raise TypeError("voice names are text")
        if len(self._position) != len(index) or len(lines) != len(index):
            raise ValueError("one line per voice, each name once")
        self._index, self._lines, self._files = index, lines, files
        self._rebuild = rebuild
        self._fresh: Mapping[str, VoiceSpec] | None = None
        self._lock = threading.Lock()

    def __getitem__(self, name: str) -> VoiceSpec:
        spec = self._specs.get(name)
        if spec is None:
            at = self._position[name]
            with self._lock:
                spec = self._specs.get(name)
                if spec is None:
                    spec = self._specs[name] = self._make(self._index[at], self._lines[at])
        return spec

    def __iter__(self) -> Iterator[str]:
        return iter(self._position)

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, name: object) -> bool:
        return name in self._position

    def data_index(self) -> Sequence[VoiceData]:
        return self._index

    def _make(self, entry: VoiceData, line: bytes) -> VoiceSpec:
        try:
            text = line.decode("ascii")
            (name, fields), end = _DECODER.raw_decode(text)
            if end != len(text):
                raise ValueError("more than one voice on the line")
            if name != entry.name:
                raise ValueError("the line is another voice's")
            fields["source"] = _location(self._files, fields["source"])
            fields["field_locations"] = _Locations(self._files, fields["field_locations"])
            for key in _PATH_FIELDS:  # none today: then this costs nothing
                if key in fields:
                    fields[key] = Path(fields[key]["path"])
            letter = entry.authorization_letter
            return VoiceSpec(data=entry.data, authorization_letter=letter, **fields)
        except _ERRORS:
            return self._rebuilt(entry)

    def _rebuilt(self, entry: VoiceData) -> VoiceSpec:
        """A damaged line (only a hand-edited entry has one): the voice as the YAML says."""
        if self._fresh is None:
            self._fresh = self._rebuild()
        spec = self._fresh.get(entry.name)
        if spec is None or (spec.data, spec.authorization_letter) != entry[1:]:
            # The YAML is no longer what the index was made from: it changed since this run
            # read it, and the run must not mix the two.
            raise ConfigError(
                "the configuration changed while this run was using it", hint="run it again"
            )
        return spec
