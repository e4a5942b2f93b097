"""The local state's journal: one JSON line per checkpoint, beside the snapshot.

A checkpoint appends the records it changed, so its cost is that of those records, not of
the state; reading replays the lines over the snapshot. Each line names the lineage and the
serial it produces, so a line that does not continue the snapshot is noticed rather than
applied, and carries a checksum, so that a line torn by a crash is told apart from a damaged
file. Only the last line can be torn: every append is fsynced before the next one starts.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.state import binned
from reconciler.state.binned import DeletedAsset
from reconciler.state.errors import StateError
from reconciler.state.jsonvalues import load_json
from reconciler.state.model import State
from reconciler.state.record import VoiceRecord

SUFFIX = ".journal"
_CHECKSUM = "checksum"
_SHA256 = "sha256:"


@dataclass(frozen=True)
class Entry:
    line: int  # 1-based, for messages
    lineage: str
    serial: int
    voices: Mapping[str, Any]  # name -> record as JSON, or None: removed
    # The whole list after this checkpoint (state format 3), or None: unchanged (older lines).
    deleted_assets: list[Any] | None = None


@dataclass(frozen=True)
class Parsed:
    entries: tuple[Entry, ...]
    valid_length: int  # bytes up to the end of the last whole line: where the next append goes


def encode_entry(
    lineage: str,
    serial: int,
    voices: Mapping[str, VoiceRecord | None],
    deleted_assets: Sequence[DeletedAsset] = (),
) -> bytes:
    """``deleted_assets`` goes whole into every line: it is short (7 days of deletions), and
    a line then never depends on the ones before it for the recycle bin's records."""
    body: dict[str, Any] = {
        "lineage": lineage,
        "serial": serial,
        "voices": {name: None if r is None else r.json_view() for name, r in voices.items()},
        binned.KEY: [record.json_view() for record in deleted_assets],
    }
    body[_CHECKSUM] = _checksum(body)
    return (_canonical(body) + "\n").encode("utf-8")


def parse(data: bytes, path: Path) -> Parsed:
    """The whole lines of ``data``; a damaged last line is a torn append and is left out."""
    entries: list[Entry] = []
    offset, number = 0, 0
    while offset < len(data):
        end = data.find(b"\n", offset)
        number += 1
        entry = None if end < 0 else _decode(data[offset:end], number)
        if entry is None:
            if end < 0 or not data[end + 1 :].strip():
                break  # the append a crash cut short: its checkpoint never returned
            raise StateError(
                f"state journal {path} is damaged at line {number} (lines after it are whole, "
                "so this is no interrupted write)",
                hint=f"keep a copy of {path} and restore the state from a backup",
            )
        entries.append(entry)
        offset = end + 1
    return Parsed(tuple(entries), offset)


def replay(snapshot: State, entries: Sequence[Entry], path: Path) -> State:
    """``snapshot`` with the entries that continue it applied, in order."""
    # Only the changed records: the snapshot's others stay as read (undecoded, see state/voices.py).
    changes: dict[str, VoiceRecord | None] = {}
    serial = snapshot.serial
    deleted: tuple[DeletedAsset, ...] | None = None
    for entry in entries:
        if entry.lineage != snapshot.lineage:
            raise StateError(
                f"state journal {path} line {entry.line} belongs to lineage {entry.lineage}, "
                f"not {snapshot.lineage} of the state file beside it",
                hint=_aside_hint(path),
            )
        if entry.serial <= snapshot.serial and serial == snapshot.serial:
            continue  # folded into the snapshot by a compaction cut short before its cleanup
        if entry.serial != serial + 1:
            raise StateError(
                f"state journal {path} line {entry.line} records serial {entry.serial}, "
                f"which does not follow serial {serial}",
                hint=_aside_hint(path),
            )
        for name, raw in entry.voices.items():
            changes[name] = None if raw is None else _record(raw, name, entry.line, path)
        if entry.deleted_assets is not None:
            deleted = _deleted(entry.deleted_assets, entry.line, path)
        serial = entry.serial
    if serial == snapshot.serial:
        return snapshot
    replayed = dataclasses.replace(snapshot.with_records(changes), serial=serial)
    if deleted is not None:
        replayed = dataclasses.replace(replayed, deleted_assets=deleted)
    return replayed


def _deleted(raw: list[Any], line: int, path: Path) -> tuple[DeletedAsset, ...]:
    try:
        return binned.from_state_dict({binned.KEY: raw})
    except (ValueError, TypeError) as error:
        raise StateError(
            f"state journal {path} line {line} is not valid: {error}",
            hint=_aside_hint(path),
        ) from None


def _record(raw: object, name: str, line: int, path: Path) -> VoiceRecord:
    try:
        record = VoiceRecord.from_dict(raw, f"voices.{name}")
    except (ValueError, TypeError) as error:
        raise StateError(
            f"state journal {path} line {line} is not valid: {error}",
            hint=_aside_hint(path),
        ) from None
    if record.name != name:
        raise StateError(
            f"state journal {path} line {line}: record {name!r} is named {record.name!r}",
            hint=_aside_hint(path),
        )
    return record


def _decode(line: bytes, number: int) -> Entry | None:
    """The entry on ``line``, or None if it is not one whole, intact entry."""
    try:
        body = load_json(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(body, dict) or body.pop(_CHECKSUM, None) != _checksum(body):
        return None
    lineage, serial, voices = body.get("lineage"), body.get("serial"), body.get("voices")
    if not isinstance(lineage, str) or type(serial) is not int or not isinstance(voices, dict):
        return None
    deleted = body.get(binned.KEY)
    if deleted is not None and not isinstance(deleted, list):
        return None
    return Entry(number, lineage, serial, voices, deleted)


def _canonical(value: object) -> str:
    # One spelling per value, so the checksum can be recomputed from the parsed line.
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _checksum(body: Mapping[str, Any]) -> str:
    return _SHA256 + hashlib.sha256(_canonical(body).encode("utf-8")).hexdigest()


def _aside_hint(path: Path) -> str:
    return (
        f"if the state file was restored or replaced by hand, move {path} aside (it belongs "
        "to the state file it came with)"
    )
