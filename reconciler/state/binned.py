"""Assets that destroy and replace moved to MetaStudio's recycle bin, kept for restore.

A deleted asset stays restorable for 7 days (the console guide's figure). While it does, a
voice created again with the same voice_name and training data can get its trained model
back instead of paying for a new training: the plan offers ``restore``. A record holds what
that decision needs and nothing else: the asset, the voice_name, the data digest, when, and
the recorded spec the model was trained with (as the voice record kept it: the phone only as
its fingerprint). Records older than the window are dropped whenever the state is written.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from reconciler.state.jsonvalues import check_json, optional, required, typed
from reconciler.state.privacy import check_no_clear_phone
from reconciler.timestamps import parse_rfc3339

WINDOW = timedelta(days=7)
KEY = "deleted_assets"


@dataclass(frozen=True, kw_only=True)
class DeletedAsset:
    asset_id: str
    voice_name: str
    data_digest: str | None
    deleted_at: str  # RFC 3339
    address: str  # the voice it belonged to, for messages
    edition: str
    job_type: str
    spec: dict[str, Any] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        where = f"{KEY}[{self.asset_id}]"
        if not self.asset_id:
            raise ValueError(f"{KEY}: a record needs an asset_id")
        parse_rfc3339(self.deleted_at, f"{where}.deleted_at")
        check_json(self.spec, f"{where}.spec")
        check_no_clear_phone(self.spec, f"{where}.spec")

    def within_window(self, now: float) -> bool:
        deleted = parse_rfc3339(self.deleted_at, "deleted_at").timestamp()
        return now - deleted < WINDOW.total_seconds()

    def json_view(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: object, where: str) -> DeletedAsset:
        data = typed(data, dict, where)
        return cls(
            asset_id=required(data, "asset_id", str, where),
            voice_name=required(data, "voice_name", str, where),
            data_digest=optional(data, "data_digest", str, where),
            deleted_at=required(data, "deleted_at", str, where),
            address=required(data, "address", str, where),
            edition=required(data, "edition", str, where),
            job_type=required(data, "job_type", str, where),
            spec=required(data, "spec", dict, where),
        )


def from_state_dict(data: Mapping[str, Any]) -> tuple[DeletedAsset, ...]:
    raw = optional(data, KEY, list, "state")  # absent before format 3
    return tuple(DeletedAsset.from_dict(item, f"{KEY}[{i}]") for i, item in enumerate(raw or []))


def kept(records: Iterable[DeletedAsset], now: float) -> tuple[DeletedAsset, ...]:
    """The records still within the window, one per asset (the latest), oldest first."""
    latest = {record.asset_id: record for record in records if record.within_window(now)}
    return tuple(sorted(latest.values(), key=lambda r: (r.deleted_at, r.asset_id)))
