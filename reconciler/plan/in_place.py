"""A trained voice's in-place update: the attributes it changes, by which call, and the body.

The planner decides that a change is made in place (decide.py); the views name the call and
the asset fields from here, and apply builds the call's body here, so the three agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from reconciler import attributes
from reconciler.plan.model import ResourceChange


def in_place_paths(change: ResourceChange) -> list[str]:
    """The changed attributes that an update call changes, in the table's order."""
    changed = {c.path for c in change.changes}
    return [a.name for a in attributes.TABLE.entries if a.update_call and a.name in changed]


def asset_body(paths: Iterable[str], spec: Mapping[str, Any]) -> dict[str, Any]:
    """The UpdateDigitalAsset fields setting ``paths`` to their values in ``spec``; an unset
    text (a description removed from the configuration) is cleared."""
    table = attributes.TABLE.by_name
    body = {}
    for path in paths:
        field = table[path].asset_field
        assert field is not None  # the table refuses an update_call without one
        value = spec.get(path)
        body[field] = "" if value is None else value
    return body


def update_call(change: ResourceChange) -> str:
    """``UpdateDigitalAsset: asset_description, asset_name``: what a reviewer is told."""
    table = attributes.TABLE.by_name
    by_call: dict[str, list[str]] = {}
    for path in in_place_paths(change):
        call, field = table[path].update_call, table[path].asset_field
        assert call is not None and field is not None
        by_call.setdefault(call.value, []).append(field)
    return "; ".join(f"{call}: {', '.join(fields)}" for call, fields in by_call.items())
