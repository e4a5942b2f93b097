"""What each YAML file of a configuration assembled to, kept so that a plan after an edit
parses, validates and assembles only the files that changed (at 100,000 voices in files of
10,000, an edit of one file costs that file, not the 20 s of the whole).

An entry is plain JSON, never pickle: loading it runs no code, whoever wrote the folder.
There is one entry a file (its slot is named after the file's path, so the folder does not
grow with every edit), keyed by the file's name and exact bytes, the config directory, the
schema and the source of the code that parses and assembles (so a changed loader never
serves an old answer). What a file assembles to also depends on what lies outside it: the
`provider` and `defaults` sections, wherever they are written. Each entry records that as
its context, and an entry whose context is not the configuration's current one is not used
(incremental.py falls back to reading every file). Locations (file, line, column) are kept
for every field, so later messages point where they did. Anything wrong with an entry
(unreadable, corrupt, another format) only means its file is read again.

An entry is lines, so that a hit decodes only what it uses (a saved plan's apply touches 30
voices of 100,000): a header (key, context, the file's single sections with their
locations, its voice_names and its moved and removed entries: what the rules across files
need), a compact index of every voice's data and letter (what the config digest needs),
then one line per voice, turned into its VoiceSpec on first use.

A file whose voices (or defaults) hold a phone number is not cached: the number is personal
data and the cache should not hold a second copy of it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from reconciler import attributes
from reconciler.config.cached_voices import ERRORS as _ERRORS
from reconciler.config.cached_voices import INDEXED, CachedVoices, location
from reconciler.config.diagnostics import Location
from reconciler.config.loader import Document, NodePath
from reconciler.config.model import (
    DataSource,
    MovedEntry,
    RemovedEntry,
    VoiceData,
    VoiceSpec,
)
from reconciler.config.schema import schema_fingerprint
from reconciler.fsutil import atomic_write

# 6: one entry a file, with its sections and context; 5: object-store data (sha256,
# endpoint, region) in the data index; 4: moved and removed in the header; 3: lines
# (header, data index, one per voice); 2: every field, state section
FORMAT = 7
# The modules whose code decides what a file assembles to.
SOURCES = (
    "assemble.py",
    "cache.py",
    "cached_voices.py",
    "check.py",
    "dsn.py",
    "history.py",
    "incremental.py",
    "loader.py",
    "model.py",
)
# The sections defined once per configuration, in whichever file; the first two change
# what every voice assembles to.
SECTIONS = ("provider", "state", "defaults")
CONTEXT_SECTIONS = ("provider", "defaults")
_VOICE_FIELDS = tuple(f for f in dataclasses.fields(VoiceSpec) if f.name not in INDEXED)
_PERSONAL = tuple(a for a in attributes.TABLE.entries if a.personal)

Sections = dict[str, Any]  # {"data": {...}, "values": [[path, line, column]], "keys": [...]}


@functools.cache
def _code_fingerprint() -> bytes:
    """Taken once a run: every entry a run writes is keyed by the code that run loaded."""
    digest = hashlib.sha256(str(FORMAT).encode())
    here = Path(__file__).parent
    for name in SOURCES:
        digest.update((here / name).read_bytes())
    digest.update(schema_fingerprint().encode())
    return digest.digest()


def file_key(root_dir: Path, file: Path, content: bytes) -> str:
    """Changes whenever anything in the file, or the code reading it, does."""
    digest = hashlib.sha256(_code_fingerprint())
    digest.update(os.fsencode(root_dir) + b"\0" + os.fsencode(file) + b"\0")
    digest.update(f"{len(content)}\0".encode() + content)
    return digest.hexdigest()


def _slot(cache_dir: Path, file: Path) -> Path:
    name = hashlib.sha256(os.fsencode(file)).hexdigest()
    return cache_dir / "config" / f"{name}.json"


def _dumps(value: Any) -> str:
    # ASCII: a line is one voice, and no character of a value can break it.
    return json.dumps(value, separators=(",", ":"))


def sections_of(document: Document) -> Sections:
    """The file's single sections with every location inside them, as JSON: enough to
    assemble the other files against them without parsing this one again."""
    data = document.data if isinstance(document.data, dict) else {}
    held = {name: data[name] for name in SECTIONS if name in data}

    def marks(found: Mapping[NodePath, tuple[int, int]]) -> list[Any]:
        return [[list(p), *mark] for p, mark in found.items() if not p or p[0] in held]

    return {"data": held, "values": marks(document.value_marks), "keys": marks(document.key_marks)}


def sections_document(file: Path, sections: Sections) -> Document:
    """A stand-in for the file that locates everything in its sections as the file did."""

    def marks(raw: list[Any]) -> dict[NodePath, tuple[int, int]]:
        return {tuple(p): (line, column) for p, line, column in raw}

    data = sections["data"]
    if not isinstance(data, dict) or not set(data) <= set(SECTIONS):
        raise ValueError("not the sections of a file")
    return Document(file, data, marks(sections["values"]), marks(sections["keys"]))


def context_of(holders: Sequence[tuple[Path, Sections]]) -> str:
    """What every file's voices depend on outside the file: the provider and defaults
    sections, their locations (inherited fields point there) and the files holding them."""
    digest = hashlib.sha256()
    for file, sections in holders:
        parts = {
            name: sections["data"][name] for name in CONTEXT_SECTIONS if name in sections["data"]
        }
        if not parts:
            continue
        marks = [
            [kind, [m for m in sections[kind] if m[0] and m[0][0] in parts]]
            for kind in ("values", "keys")
        ]
        digest.update(os.fsencode(file) + b"\0")
        digest.update(json.dumps([parts, marks], sort_keys=True).encode() + b"\0")
    return digest.hexdigest()


@dataclasses.dataclass(frozen=True)
class Entry:
    """One file's entry as read: its header decoded, its voices' lines not yet."""

    file: Path
    context: str
    sections: Sections | None  # None: the file defines no single section
    moved: tuple[MovedEntry, ...]
    removed: tuple[RemovedEntry, ...]
    voice_names: tuple[str, ...]  # each voice's, in the index's order
    index: list[VoiceData]
    lines: list[bytes]
    files: tuple[Path, ...]  # what the locations' file numbers stand for


def read_entry(cache_dir: Path, file: Path, key: str) -> Entry | None:
    """The entry of ``file`` with content ``key``, or None (then parse it)."""
    try:
        head, index, *lines = _slot(cache_dir, file).read_bytes().split(b"\n")
        header = json.loads(head)
        if not isinstance(header, dict) or header.get("key") != key:
            return None
        return _decode(file, header, json.loads(index), lines)
    except _ERRORS:
        return None


def _holds_personal(voices: Sequence[VoiceSpec], sections: Sections) -> bool:
    if any(getattr(voice, a.name) for voice in voices for a in _PERSONAL):
        return True
    defaults = sections["data"].get("defaults")
    for a in _PERSONAL:
        value: Any = defaults
        for part in a.config_key.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if value is not None:
            return True
    return False


def write_entry(
    cache_dir: Path,
    document: Document,
    key: str,
    context: str,
    voices: Sequence[VoiceSpec],
    moved: Sequence[MovedEntry],
    removed: Sequence[RemovedEntry],
) -> bool:
    """Keep what ``document`` (the file with content ``key``) assembled to: its voices, in
    name order, and its moved and removed entries. Best effort: False if not kept."""
    file = document.file
    sections = sections_of(document)
    if _holds_personal(voices, sections):
        return False
    try:
        lines = _encode(file, key, context, sections, voices, moved, removed)
        head, index, *rest = (line.encode("ascii") for line in lines)
        decoded = _decode(file, json.loads(head), json.loads(index), rest)
        again = CachedVoices([decoded], {}, _unkept)
        if (
            _encode(
                file,
                key,
                context,
                decoded.sections or sections,
                list(again.values()),
                decoded.moved,
                decoded.removed,
            )
            != lines
        ):
            return False  # a value JSON does not keep exactly (a date, a non-string key)
        slot = _slot(cache_dir, file)
        slot.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(slot, "\n".join(lines).encode("ascii"))
        return True
    except (OSError, TypeError, ValueError, KeyError):
        # An unwritable cache, or a value JSON cannot hold: it only costs time.
        with contextlib.suppress(OSError):
            _slot(cache_dir, file).unlink(missing_ok=True)
        return False


def forget_entry(cache_dir: Path, file: Path) -> bool:
    """Drop the entry of ``file``: True if it is gone."""
    try:
        _slot(cache_dir, file).unlink(missing_ok=True)
    except OSError:
        return False
    return True


def _unkept(file: Path) -> Mapping[str, VoiceSpec]:
    raise ValueError("a voice did not decode as it was encoded")


def _encode(
    file: Path,
    key: str,
    context: str,
    sections: Sections,
    voices: Sequence[VoiceSpec],
    moved: Sequence[MovedEntry],
    removed: Sequence[RemovedEntry],
) -> list[str]:
    """Every field of every voice, whatever fields VoiceSpec gains: one left out would be a
    setting silently lost on a warm run (a cache hit must equal a fresh assembly)."""
    files = {file: 0}  # the file itself, then any other a location points into (defaults)

    def where(location: Location) -> list[Any]:
        return [files.setdefault(location.file, len(files)), location.line, location.column]

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

    lines = [
        _dumps([voice.name, {f.name: value(f.name, getattr(voice, f.name)) for f in _VOICE_FIELDS}])
        for voice in voices
    ]
    index = _encode_index([VoiceData(v.name, v.data, v.authorization_letter) for v in voices])
    header = {
        "key": key,
        "context": context,
        "sections": sections if sections["data"] else None,
        "moved": [
            [m.source, m.target, m.path, where(m.source_at), where(m.target_at)] for m in moved
        ],
        "removed": [[r.source, r.destroy, r.path, where(r.source_at)] for r in removed],
        "voice_names": [voice.voice_name for voice in voices],
        "files": [str(path) for path in files],  # last: every location is numbered by now
    }
    return [_dumps(header), _dumps(index), *lines]


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
            [s.kind, str(s.path), s.declared, s.sha256, s.endpoint, s.region, _path(s.lock)]
            for s in sources
        ],
        "letters": [str(letter) for letter in letters],
        "voices": voices,
    }


def _path(path: Path | None) -> str | None:
    return None if path is None else str(path)


def _unpath(text: str | None) -> Path | None:
    return None if text is None else Path(text)


def _decode_index(raw: dict[str, Any]) -> list[VoiceData]:
    sources = [
        DataSource(kind, Path(path), declared, sha256, endpoint, region, _unpath(lock))
        for kind, path, declared, sha256, endpoint, region, lock in raw["sources"]
    ]
    letters = [Path(letter) for letter in raw["letters"]]
    return [
        VoiceData(name, sources[source], None if letter is None else letters[letter])
        for name, source, letter in raw["voices"]
    ]


def _decode(file: Path, raw: dict[str, Any], index: dict[str, Any], lines: list[bytes]) -> Entry:
    files = tuple(Path(path) for path in raw["files"])
    if not files or files[0] != file:
        raise ValueError("another file's entry")
    sections = raw["sections"]
    if sections is not None:
        sections_document(file, sections)  # refuses what is not a file's sections
    voice_names = tuple(raw["voice_names"])
    decoded = _decode_index(index)
    if len(decoded) != len(lines) or len(voice_names) != len(lines):
        raise ValueError("one line and one voice_name per voice")
    return Entry(
        file=file,
        context=raw["context"],
        sections=sections,
        moved=tuple(
            MovedEntry(source, target, path, location(files, at), location(files, to))
            for source, target, path, at, to in raw["moved"]
        ),
        removed=tuple(
            RemovedEntry(source, destroy, path, location(files, at))
            for source, destroy, path, at in raw["removed"]
        ),
        voice_names=voice_names,
        index=decoded,
        lines=lines,
        files=files,
    )
