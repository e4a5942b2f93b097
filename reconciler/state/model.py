"""The whole state file: versioning, lineage, serial, and one record per voice."""

from __future__ import annotations

import copy
import dataclasses
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.state import binned
from reconciler.state.binned import DeletedAsset
from reconciler.state.jsonvalues import check_json, required, typed
from reconciler.state.record import VoiceRecord, records_from_dict
from reconciler.state.voices import RecordedVoices, Stored

# 2: a backend may keep a journal beside the snapshot (see backends/). Readers of version 1
# would ignore it and see an old state, so they must refuse the file rather than act on it.
# 3: ``deleted_assets``, the assets destroy and replace moved to the recycle bin (binned.py).
# A version-2 reader would carry the list along without pruning it or adding to it, and so
# leave the next plan offering a restore of an asset deleted again since: it must refuse.
# Files of versions 1 and 2 load with no records; the next write makes them version 3.
FORMAT_VERSION = 3
_KNOWN = ("format_version", "serial", "lineage", "voices", binned.KEY)
# Written by the codec beside the voices (see codec.py); it describes the file, not the state.
DIGEST_KEY = "voices_digest"


class NewerFormatError(ValueError):
    def __init__(self, found: int) -> None:
        self.found = found
        super().__init__(f"format_version {found} (this reconciler reads up to {FORMAT_VERSION})")


@dataclass(frozen=True, kw_only=True)
class State:
    """One immutable snapshot; ``serial`` is the serial of the file it was read from or written as.

    Writers compare it with the stored serial to notice a concurrent writer, so derive new
    snapshots with the ``with_*`` methods or dataclasses.replace, never by editing a copy.
    """

    lineage: str
    serial: int = 0
    format_version: int = FORMAT_VERSION
    # Read-only: a RecordedVoices (given any other mapping, its records are checked and copied).
    voices: Mapping[str, VoiceRecord] = dataclasses.field(default_factory=RecordedVoices)
    # What destroy and replace moved to the recycle bin, oldest first (binned.py).
    deleted_assets: tuple[DeletedAsset, ...] = ()
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        try:
            uuid.UUID(self.lineage)
        except ValueError:
            raise ValueError(f"lineage: {self.lineage!r} is not a UUID") from None
        if self.serial < 0:
            raise ValueError(f"serial: {self.serial} is negative")
        if not isinstance(self.voices, RecordedVoices):
            # A copy: editing the caller's dict afterwards cannot change this snapshot.
            object.__setattr__(self, "voices", RecordedVoices.of(self.voices))
        check_json(self.extra, "state")

    @classmethod
    def new(cls) -> State:
        return cls(lineage=str(uuid.uuid4()))

    def voice(self, name: str) -> VoiceRecord | None:
        return self.voices.get(name)

    def with_voice(self, record: VoiceRecord) -> State:
        return self.with_records({record.name: record})

    def with_records(self, changes: Mapping[str, VoiceRecord | None]) -> State:
        """Several voices changed at once (None: removed). Only the changed records are
        checked, so that a checkpoint's cost does not grow with the state."""
        return dataclasses.replace(self, voices=RecordedVoices.of(self.voices).replaced(changes))

    def stored_voices(self) -> Mapping[str, Stored]:
        """Each voice as stored (see voices.py), for the codec: nothing is decoded."""
        return RecordedVoices.of(self.voices).stored()

    def with_deleted_assets(self, added: Iterable[DeletedAsset], now: float) -> State:
        """``added`` recorded, and the records the window has passed by ``now`` dropped."""
        return dataclasses.replace(
            self, deleted_assets=binned.kept((*self.deleted_assets, *added), now)
        )

    def without_voice(self, name: str) -> State:
        return self.with_records({name: None})

    def to_dict(self) -> dict[str, Any]:
        return copy.deepcopy(self.json_view())

    def json_view(self) -> dict[str, Any]:
        """Like to_dict, but sharing this state's values: only to serialise, never to edit."""
        return {
            **self.extra,
            "format_version": FORMAT_VERSION,
            "serial": self.serial,
            "lineage": self.lineage,
            "voices": {name: self.voices[name].json_view() for name in sorted(self.voices)},
            **self.deleted_assets_view(),
        }

    def deleted_assets_view(self) -> dict[str, Any]:
        """The records as the file holds them: no key at all when there are none."""
        if not self.deleted_assets:
            return {}
        return {binned.KEY: [record.json_view() for record in self.deleted_assets]}

    @classmethod
    def from_dict(cls, data: object) -> State:
        """The state of freshly decoded JSON, taken over without copies (see
        VoiceRecord.from_dict); each record checks its own values, and the state its extra."""
        data = typed(data, dict, "state")
        version = required(data, "format_version", int, "state")
        if version > FORMAT_VERSION:
            raise NewerFormatError(version)
        if version < 1:
            raise ValueError(f"state.format_version: {version} is not a valid version")
        return cls(
            format_version=version,
            serial=required(data, "serial", int, "state"),
            lineage=required(data, "lineage", str, "state"),
            voices=records_from_dict(required(data, "voices", dict, "state"), "voices"),
            deleted_assets=binned.from_state_dict(data),
            extra={k: v for k, v in data.items() if k not in _KNOWN and k != DIGEST_KEY},
        )
