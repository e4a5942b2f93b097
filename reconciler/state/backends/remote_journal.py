"""The remote backends' (S3, PostgreSQL) journal entries: a snapshot plus entries replayed on it.

An entry is the JSON of one serial bump: ``{"serial", "lineage", "id", "voices": {name:
record or null}, "deleted_assets": [...]}`` for a checkpoint (null: the voice was removed;
the recycle bin's records whole, since state format 3), or the same with
``"state"`` (the whole state's JSON) for a whole write. ``id`` is random per entry so that a
writer whose request's outcome is unknown can read the entry back and tell its own from
another writer's. Entries at or below the snapshot's serial are leftovers of a compaction
(folded, then deleted) and are skipped.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Collection, Iterable
from typing import Any

from reconciler.state import binned
from reconciler.state.codec import WORK, decode_layout
from reconciler.state.errors import StateError
from reconciler.state.jsonvalues import load_json
from reconciler.state.model import FORMAT_VERSION, NewerFormatError, State
from reconciler.state.record import VoiceRecord


def checkpoint_entry(state: State, changed: Collection[str]) -> dict[str, Any]:
    voices = {name: _record(state, name) for name in sorted(set(changed))}
    return {
        "serial": state.serial + 1,
        "lineage": state.lineage,
        "id": str(uuid.uuid4()),
        "voices": voices,
        # Whole in every entry: short (7 days of deletions), and no entry depends on another.
        binned.KEY: [record.json_view() for record in state.deleted_assets],
    }


def write_entry(state: State) -> dict[str, Any]:
    bumped = bumped_state(state)
    return {
        "serial": bumped.serial,
        "lineage": state.lineage,
        "id": str(uuid.uuid4()),
        "state": bumped.to_dict(),
    }


def bumped_state(state: State) -> State:
    return dataclasses.replace(state, serial=state.serial + 1, format_version=FORMAT_VERSION)


def encode_entry(entry: dict[str, Any]) -> bytes:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def decode_entry(data: bytes, where: str) -> dict[str, Any]:
    try:
        entry = load_json(data.decode("utf-8"))
        if not isinstance(entry, dict) or not isinstance(entry.get("serial"), int):
            raise ValueError("not a journal entry")
        return entry
    except (UnicodeDecodeError, ValueError) as error:
        raise StateError(
            f"journal entry {where} is not valid: {error}",
            hint="restore the state from its backup or history and remove the bad entry",
        ) from None


def decode_state(data: bytes | str | dict[str, Any], where: str) -> State:
    hint = "restore the previous version from the backup or history"

    def invalid(problem: str) -> StateError:
        return StateError(f"state {where} is not a valid state: {problem}", hint=hint)

    try:
        if isinstance(data, (bytes, str)):
            text = data.encode() if isinstance(data, str) else data
            fast = decode_layout(text, invalid)  # records decoded when used, as locally
            if fast is not None:
                return fast
        raw = load_json(data) if isinstance(data, (bytes, str)) else data
        state = State.from_dict(raw)
        WORK.decoded += len(state.voices)
        return state
    except NewerFormatError as error:
        raise StateError(
            f"state {where} was written by a newer reconciler ({error})",
            hint="upgrade reconciler to use this state",
        ) from None
    except (UnicodeDecodeError, ValueError, TypeError) as error:
        raise StateError(
            f"state {where} is not a valid state: {error}",
            hint=hint,
        ) from None


def replay(snapshot: State, entries: Iterable[dict[str, Any]], where: str) -> State:
    """``snapshot`` with the entries above its serial applied in order; a gap is an error."""
    state = snapshot
    for entry in sorted(entries, key=lambda e: int(e["serial"])):
        serial = int(entry["serial"])
        if serial <= state.serial:
            continue
        if serial != state.serial + 1:
            raise StateError(
                f"state {where} is damaged: journal entry {serial} follows serial "
                f"{state.serial}, and the entries between are missing",
                # A reader meets gaps a compaction leaves only between its reads (s3.py
                # reads again); the entries handed here were read together, so one is lost.
                hint="the journal lost an entry, and rerunning will not bring it back: "
                "restore the state from its backup or history, then `reconciler plan` shows "
                "what it no longer records and `reconciler import` adopts those jobs",
            )
        state = apply_entry(state, entry, where)
    return state


def apply_entry(state: State, entry: dict[str, Any], where: str) -> State:
    serial = int(entry["serial"])
    if "state" in entry:
        whole = decode_state(entry["state"], f"{where} (journal entry {serial})")
        return dataclasses.replace(whole, serial=serial)
    if entry.get("lineage") != state.lineage:
        raise StateError(
            f"state {where}: journal entry {serial} belongs to lineage {entry.get('lineage')}, "
            f"not {state.lineage}",
            hint="restore the state from its backup or history",
        )
    try:
        changes = {
            name: None if raw is None else VoiceRecord.from_dict(raw)
            for name, raw in dict(entry["voices"]).items()
        }
        changed = state.with_records(changes)
        if binned.KEY in entry:  # absent from entries older than state format 3
            changed = dataclasses.replace(
                changed, deleted_assets=binned.from_state_dict({binned.KEY: entry[binned.KEY]})
            )
    except (KeyError, TypeError, ValueError) as error:
        raise StateError(f"state {where}: journal entry {serial} is not valid: {error}") from None
    return dataclasses.replace(changed, serial=serial)


def _record(state: State, name: str) -> dict[str, Any] | None:
    record = state.voices.get(name)
    return None if record is None else record.to_dict()
