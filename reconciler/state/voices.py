"""A state's records, read-only: each decoded on first use from the line it was stored as.

A large state is read far more often than it is looked at whole: an apply of a saved plan
touches a few records of 100,000. So the codec hands over each voice's stored line, and the
record is decoded only when asked for; a record that was not replaced keeps its line, which
the next write copies instead of encoding the record again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping

from reconciler.state.jsonvalues import field, shown
from reconciler.state.record import VoiceRecord

# Loads the record filed under a name from its stored line; raises on a bad line.
Loader = Callable[[str, bytes], VoiceRecord]

# One lock for every first decode: apply's worker threads share a state, and a record
# decoded twice would be two objects for one voice. Decoding holds the GIL anyway.
_DECODING = threading.Lock()


class Lines:
    """The records of one stored snapshot, decoded once each, whichever State asks."""

    def __init__(self, load: Loader) -> None:
        self._load = load
        self._records: dict[str, VoiceRecord] = {}

    def record(self, name: str, line: bytes) -> VoiceRecord:
        record = self._records.get(name)
        if record is None:
            with _DECODING:
                record = self._records.get(name)
                if record is None:
                    record = self._records[name] = self._load(name, line)
        return record

    def decoded(self, name: str) -> VoiceRecord | None:
        return self._records.get(name)


def check_filed(name: str, record: VoiceRecord) -> None:
    if record.name != name:
        raise ValueError(f"{field('voices', name)}: record is named {shown(record.name)}")


# Per voice: the line it was read from (bytes), while its record is unchanged; else the record.
Stored = bytes | VoiceRecord


class RecordedVoices(Mapping[str, VoiceRecord]):
    """Name -> record, immutable; derive changed copies with ``replaced``."""

    __slots__ = ("_entries", "_lines")

    def __init__(self, entries: dict[str, Stored] | None = None, lines: Lines | None = None):
        # Taken over, not copied. Every bytes entry is a line of ``lines``.
        self._entries: dict[str, Stored] = {} if entries is None else entries
        self._lines = lines

    @classmethod
    def of(cls, records: Mapping[str, VoiceRecord]) -> RecordedVoices:
        """Records of a caller's mapping, each checked to be filed under its own name."""
        if isinstance(records, RecordedVoices):
            return records
        entries: dict[str, Stored] = {}
        for name, record in records.items():
            check_filed(name, record)
            entries[name] = record
        return cls(entries)

    def replaced(self, changes: Mapping[str, VoiceRecord | None]) -> RecordedVoices:
        """These voices changed (None: removed); only they are checked, the rest shared."""
        entries = dict(self._entries)
        for name, record in changes.items():
            if record is None:
                entries.pop(name, None)
                continue
            check_filed(name, record)
            old = entries.get(name)
            # The very record read from a line, put back (a checkpoint of a voice that did
            # not change): it still encodes to exactly that line.
            lines = self._lines
            if not (isinstance(old, bytes) and lines and lines.decoded(name) is record):
                entries[name] = record
        return RecordedVoices(entries, self._lines)

    def stored(self) -> Mapping[str, Stored]:
        """For the codec: what each voice is stored as, without decoding anything."""
        return self._entries

    def __getitem__(self, name: str) -> VoiceRecord:
        entry = self._entries[name]
        if isinstance(entry, bytes):
            assert self._lines is not None
            return self._lines.record(name, entry)
        return entry

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"RecordedVoices({len(self._entries)} records)"
