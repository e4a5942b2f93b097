"""How `reconciler state list` and `state show` put records on the terminal."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from reconciler.state import VoiceRecord
from reconciler.state.privacy import SENSITIVE, redact_personal

NO_JOB = "(no job yet)"
MISSING = "-"
# The fields a reader looks for first; anything else follows in name order.
SHOW_ORDER = (
    "job_id",
    "phase",
    "remote_state",
    "asset_id",
    "edition",
    "job_type",
    "prevent_destroy",
    "keep_asset",
    "data_digest",
    "created_at",
    "updated_at",
    "create_attempt",
    "spec",
)


def list_rows(records: list[VoiceRecord]) -> list[str]:
    rows = [
        (
            record.address,
            record.job_id or NO_JOB,
            record.phase or MISSING,
            record.remote_state or MISSING,
            record.asset_id or MISSING,
        )
        for record in records
    ]
    widths = [max(len(cell) for cell in column) for column in zip(*rows, strict=True)]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def show_lines(record: VoiceRecord) -> list[str]:
    data = redact_personal(record.to_dict())
    for key in ("name", "address"):  # the heading says them
        data.pop(key, None)
    keys = [k for k in SHOW_ORDER if k in data] + sorted(k for k in data if k not in SHOW_ORDER)
    return [f"# {record.address}", *_block(data, keys, indent="")]


def _block(data: Mapping[str, Any], keys: list[str], indent: str) -> list[str]:
    width = max((len(k) for k in keys if not _nested(data[k])), default=0)
    lines = []
    for key in keys:
        value = data[key]
        if _nested(value):
            lines.append(f"{indent}{key}:")
            lines += _block(value, sorted(value), indent + "  ")
        else:
            lines.append(f"{indent}{key.ljust(width)} = {_scalar(value)}")
    return lines


def _nested(value: Any) -> bool:
    return isinstance(value, Mapping) and bool(value)


def _scalar(value: Any) -> str:
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "{}"
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(item) for item in value) + "]"
    if isinstance(value, str) and value != SENSITIVE:
        # Quoted: free text may hold newlines or look like "(none)".
        return json.dumps(value, ensure_ascii=False)
    return str(value)
