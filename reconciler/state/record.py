"""What the state remembers about one voice: its job, how far apply got, and what it sent."""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, cast

from reconciler.addresses import address_of
from reconciler.state.jsonvalues import check_json, field, optional, required, shown, typed
from reconciler.state.privacy import check_no_clear_phone
from reconciler.timestamps import parse_rfc3339

Phase = Literal["created", "uploaded", "submitted"]
PHASES: tuple[Phase, ...] = ("created", "uploaded", "submitted")

# Job IDs go into URL paths: nothing that could be empty, a dot segment or more than one segment.
_JOB_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


def is_job_id(text: str) -> bool:
    return _JOB_ID.fullmatch(text) is not None


@dataclass(frozen=True, kw_only=True)
class VoiceRecord:
    """Frozen so a checkpoint cannot change after it is written; derive with dataclasses.replace.

    ``phase`` is None exactly when ``job_id`` is None: a create was attempted (see
    ``create_attempt``) but no job ID came back yet, or the trained model was taken back
    from the recycle bin (``restored_at``, with its ``asset_id``): a voice trained, whose
    job was deleted when its asset was, so it has none.
    """

    name: str
    edition: str
    job_type: str
    phase: Phase | None
    created_at: str
    updated_at: str
    job_id: str | None = None
    address: str = ""
    spec: dict[str, Any] = dataclasses.field(default_factory=dict)
    data_digest: str | None = None
    remote_state: str | None = None  # raw, even if unknown to us: newer API states must survive
    asset_id: str | None = None
    prevent_destroy: bool = False
    # Recorded like prevent_destroy, so that removing the YAML block cannot by itself make
    # destroy delete a model the configuration said to keep.
    keep_asset: bool = False
    create_attempt: dict[str, Any] | None = None
    restored_at: str | None = None  # state format 3
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        where = field("voices", self.name)
        if not self.name:
            raise ValueError("voices: a voice record needs a name")
        if not self.address:
            object.__setattr__(self, "address", address_of(self.name))
        if self.phase is not None and self.phase not in PHASES:
            raise ValueError(
                f"{where}.phase: {shown(self.phase)} is not one of {', '.join(PHASES)}"
            )
        if (self.job_id is None) != (self.phase is None):
            raise ValueError(f"{where}: job_id and phase must be set together")
        if self.job_id is not None and not is_job_id(self.job_id):
            raise ValueError(f"{where}.job_id: {shown(self.job_id)} is not a job ID")
        parse_rfc3339(self.created_at, f"{where}.created_at")
        parse_rfc3339(self.updated_at, f"{where}.updated_at")
        if self.restored_at is not None:
            parse_rfc3339(self.restored_at, f"{where}.restored_at")
            if self.job_id is not None or self.asset_id is None:
                raise ValueError(f"{where}: a restored voice has an asset_id and no job_id")
        elif self.job_id is None and self.create_attempt is None:
            raise ValueError(f"{where}: a record without a job_id must carry its create_attempt")
        if self.create_attempt is not None:
            for key in ("started_at", "voice_name"):
                required(self.create_attempt, key, str, f"{where}.create_attempt")
            started = self.create_attempt["started_at"]
            parse_rfc3339(started, f"{where}.create_attempt.started_at")
        check_json(self.spec, f"{where}.spec")
        check_json(self.create_attempt, f"{where}.create_attempt")
        check_json(self.extra, where)
        check_no_clear_phone(self.spec, f"{where}.spec")

    def to_dict(self) -> dict[str, Any]:
        return copy.deepcopy(self.json_view())

    def json_view(self) -> dict[str, Any]:
        """Like to_dict, but sharing this record's values: only to serialise, never to edit.
        Writing a state encodes every record, and copying them first doubled the cost."""
        known = {f.name: getattr(self, f.name) for f in _FIELDS}
        if self.restored_at is None:
            del known["restored_at"]  # only restored voices have it: other lines stay as they were
        # Fields we know win over same-named leftovers; extra only holds what a newer version added.
        return {**self.extra, **known}

    @classmethod
    def from_dict(cls, data: object, where: str = "voices") -> VoiceRecord:
        """The record of freshly decoded JSON, which it takes over: its values are kept, not
        copied (copies were a third of the time a large state took to read)."""
        data = typed(data, dict, where)
        attempt = optional(data, "create_attempt", dict, where)
        return cls(
            name=required(data, "name", str, where),
            address=required(data, "address", str, where),
            edition=required(data, "edition", str, where),
            job_type=required(data, "job_type", str, where),
            phase=cast("Phase | None", optional(data, "phase", str, where)),
            created_at=required(data, "created_at", str, where),
            updated_at=required(data, "updated_at", str, where),
            job_id=optional(data, "job_id", str, where),
            spec=required(data, "spec", dict, where),
            data_digest=optional(data, "data_digest", str, where),
            remote_state=optional(data, "remote_state", str, where),
            asset_id=optional(data, "asset_id", str, where),
            prevent_destroy=required(data, "prevent_destroy", bool, where),
            keep_asset=bool(optional(data, "keep_asset", bool, where)),  # newer than the format
            create_attempt=attempt,
            restored_at=optional(data, "restored_at", str, where),
            extra={k: v for k, v in data.items() if k not in _KNOWN_KEYS},
        )


_FIELDS = tuple(f for f in dataclasses.fields(VoiceRecord) if f.name != "extra")
_KNOWN_KEYS = frozenset(f.name for f in _FIELDS)


def records_from_dict(data: Mapping[str, Any], where: str) -> dict[str, VoiceRecord]:
    records = {}
    for name, raw in data.items():
        record = VoiceRecord.from_dict(raw, field(where, name))
        if record.name != name:
            raise ValueError(f"{field(where, name)}: record is named {shown(record.name)}")
        records[name] = record
    return records
