"""The voices of a configuration put together from cache entries: each VoiceSpec is made
from its entry's line when first used (a saved plan's apply touches 30 voices of 100,000),
with its field locations made only when a message asks for one."""

from __future__ import annotations

import json
import threading
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reconciler.config.diagnostics import Location
from reconciler.config.model import ConfiguredVoices, VoiceData, VoiceSpec
from reconciler.errors import ConfigError

if TYPE_CHECKING:
    from reconciler.config.cache import Entry

# Taken from the data index, not the voice's line: one copy, and the digest needs no line.
INDEXED = ("data", "authorization_letter")
# Encoded as {"path": ...}: JSON has no paths.
_PATH_FIELDS = frozenset(
    name
    for name, hint in typing.get_type_hints(VoiceSpec).items()
    if name not in INDEXED and (hint is Path or Path in typing.get_args(hint))
)
_DECODER = json.JSONDecoder()
# What a damaged entry can raise while it is decoded.
ERRORS = (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError)

# The voices as the YAML says, asked for when the entry of the file given turns out damaged.
Rebuild = Callable[[Path], Mapping[str, VoiceSpec]]


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
            return location(self._files, self._marks[at + 1 : at + 4])
        except (TypeError, ValueError, IndexError):
            # Not there, or (only in a hand-edited entry) not a location: location_of()
            # falls back to the voice.
            raise KeyError(key) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._marks[::4])

    def __len__(self) -> int:
        return len(self._marks) // 4


def location(files: tuple[Path, ...], mark: list[Any]) -> Location:
    index, line, column = mark
    if type(index) is not int or type(line) is not int or type(column) is not int:
        raise TypeError("a location is three numbers")
    return Location(files[index], line, column)


class CachedVoices(ConfiguredVoices):
    """The voices of every file in name order: those of files read this run as built, the
    others made from their entries' lines on first use and then kept. Apply reads them from
    worker threads: a lock makes each one once, so all threads share it."""

    __slots__ = ("_fresh", "_index", "_lock", "_order", "_position", "_rebuild")

    def __init__(
        self, entries: Sequence[Entry], built: Mapping[str, VoiceSpec], rebuild: Rebuild
    ) -> None:
        super().__init__(built)
        self._position: dict[str, tuple[Entry, int]] = {}
        for entry in entries:
            for at, voice in enumerate(entry.index):
                self._position[voice.name] = (entry, at)
        if not all(isinstance(name, str) for name in self._position):
            raise TypeError("voice names are text")
        if len(self._position) != sum(
            len(e.index) for e in entries
        ) or not self._position.keys().isdisjoint(built):
            raise ValueError("each name once")
        self._order = sorted([*self._position, *built])
        self._index: list[VoiceData] | None = None
        self._rebuild = rebuild
        self._fresh: dict[Path, Mapping[str, VoiceSpec]] = {}
        self._lock = threading.Lock()

    def __getitem__(self, name: str) -> VoiceSpec:
        spec = self._specs.get(name)
        if spec is None:
            entry, at = self._position[name]
            with self._lock:
                spec = self._specs.get(name)
                if spec is None:
                    spec = self._specs[name] = self._make(entry, at)
        return spec

    def __iter__(self) -> Iterator[str]:
        return iter(self._order)

    def __len__(self) -> int:
        return len(self._order)

    def __contains__(self, name: object) -> bool:
        return name in self._position or name in self._specs

    def data_index(self) -> Sequence[VoiceData]:
        if self._index is None:
            index = []
            for name in self._order:
                found = self._position.get(name)
                if found is None:
                    spec = self._specs[name]
                    index.append(VoiceData(name, spec.data, spec.authorization_letter))
                else:
                    index.append(found[0].index[found[1]])
            self._index = index
        return self._index

    def _make(self, entry: Entry, at: int) -> VoiceSpec:
        voice = entry.index[at]
        try:
            text = entry.lines[at].decode("ascii")
            (name, fields), end = _DECODER.raw_decode(text)
            if end != len(text):
                raise ValueError("more than one voice on the line")
            if name != voice.name:
                raise ValueError("the line is another voice's")
            fields["source"] = location(entry.files, fields["source"])
            fields["field_locations"] = _Locations(entry.files, fields["field_locations"])
            for key in _PATH_FIELDS:  # none today: then this costs nothing
                if key in fields:
                    fields[key] = Path(fields[key]["path"])
            letter = voice.authorization_letter
            return VoiceSpec(data=voice.data, authorization_letter=letter, **fields)
        except ERRORS:
            return self._rebuilt(entry.file, voice)

    def _rebuilt(self, file: Path, voice: VoiceData) -> VoiceSpec:
        """A damaged line (only a hand-edited entry has one): the voice as the YAML says."""
        fresh = self._fresh.get(file)
        if fresh is None:
            fresh = self._fresh[file] = self._rebuild(file)
        spec = fresh.get(voice.name)
        if spec is None or (spec.data, spec.authorization_letter) != voice[1:]:
            # The YAML is no longer what the index was made from: it changed since this run
            # read it, and the run must not mix the two.
            raise ConfigError(
                "the configuration changed while this run was using it", hint="run it again"
            )
        return spec
