"""Restore instead of retrain: a voice created again whose trained model is in the recycle bin.

Destroy and replace record each asset they delete (state/binned.py). When the plan creates a
voice (new to the state) with the same voice_name and training data as a recorded asset, and
with nothing else that shaped the model changed, the model need not be trained again: if
MetaStudio confirms the asset is still in the recycle bin (one show per candidate), the
change becomes ``restore`` (RestoreAsset; no job, no training resource). Where it cannot be,
the create stays and says why. Pure: what MetaStudio said comes in as arguments.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from reconciler import attributes
from reconciler.plan.diff import attribute_changes
from reconciler.plan.model import Action, Plan, Reason, RemoteView, ResourceChange, Step
from reconciler.state.binned import DeletedAsset
from reconciler.state.model import State
from reconciler.timestamps import parse_rfc3339

BINNED = "DELETED"
_IGNORED = frozenset({"job_id"})


def binned_spec(record: DeletedAsset) -> dict[str, Any]:
    """The spec the asset's model was trained with, as a desired spec has it."""
    return {
        **record.spec,
        "data_digest": record.data_digest,
        "edition": record.edition,
    }


def _eligible(change: ResourceChange) -> bool:
    return change.action is Action.CREATE and change.reason is Reason.NEW and bool(change.after)


def _latest(state: State, voice_name: str) -> DeletedAsset | None:
    named = [r for r in state.deleted_assets if r.voice_name == voice_name]
    return max(named, key=lambda r: (r.deleted_at, r.asset_id)) if named else None


def _why_not(record: DeletedAsset, after: Mapping[str, Any], now: float | None) -> str | None:
    """Why ``record``'s asset cannot serve ``after``, judged without MetaStudio; None: it may."""
    if record.data_digest != after.get("data_digest"):
        return "its training data differs"
    diffs = attribute_changes(binned_spec(record), after, ignore=_IGNORED)
    shaped = sorted(d.path for d in diffs if d.path not in attributes.TABLE.local)
    if shaped:
        return f"it was trained with other {', '.join(shaped)}"
    if now is not None and not record.within_window(now):
        return "it was deleted more than 7 days ago, so the recycle bin no longer holds it"
    return None


def _now(plan: Plan) -> float | None:
    return parse_rfc3339(plan.created_at).timestamp() if plan.created_at else None


def candidates(plan: Plan, state: State) -> dict[str, DeletedAsset]:
    """Voice -> the recorded asset that could be restored for it, once MetaStudio confirms
    it is still in the recycle bin."""
    found = {}
    for change in plan.changes:
        if not _eligible(change) or change.after is None:
            continue
        record = _latest(state, str(change.after.get("voice_name", "")))
        if record is not None and _why_not(record, change.after, _now(plan)) is None:
            found[change.name] = record
    return found


def offered(
    plan: Plan,
    state: State,
    seen: Mapping[str, str | None] | None,
    live: Mapping[str, tuple[str, ...]] | None,
) -> Plan:
    """``plan`` with each candidate create turned into a restore where MetaStudio confirmed
    it (``seen``: asset -> its asset_state, None when gone; ``live``: voice_name -> live
    assets); every other create that had a recorded asset says why it was not restored.
    ``seen`` None: MetaStudio was not asked (--refresh=false)."""
    changes = []
    for change in plan.changes:
        record = _latest(state, str((change.after or {}).get("voice_name", "")))
        if not _eligible(change) or change.after is None or record is None:
            changes.append(change)
            continue
        why = _why_not(record, change.after, _now(plan))
        if why is None:
            why = _remote_why_not(record, seen, live)
        if why is None:
            changes.append(_restore(change, record))
        else:
            note = (
                f"asset {record.asset_id} of {record.address} (deleted {record.deleted_at}, "
                f"voice_name {record.voice_name!r}) is not restored: {why}; a new job is trained"
            )
            changes.append(dataclasses.replace(change, notes=(*change.notes, note)))
    return dataclasses.replace(plan, changes=tuple(changes))


def _remote_why_not(
    record: DeletedAsset,
    seen: Mapping[str, str | None] | None,
    live: Mapping[str, tuple[str, ...]] | None,
) -> str | None:
    if seen is None:
        return "MetaStudio was not asked whether it is still in the recycle bin (--refresh=false)"
    state = seen.get(record.asset_id)
    if state is None:
        return "MetaStudio no longer has it (purged from the recycle bin)"
    if state != BINNED:
        return f"it is no longer in the recycle bin (asset_state {state})"
    holders = [a for a in (live or {}).get(record.voice_name, ()) if a != record.asset_id]
    if holders:
        return f"live asset {holders[0]} now holds the name {record.voice_name!r}"
    return None


def _restore(change: ResourceChange, record: DeletedAsset) -> ResourceChange:
    note = (
        f"its trained model, asset {record.asset_id} (deleted {record.deleted_at} from "
        f"{record.address}), is in the recycle bin with the same voice_name and training "
        "data: it is restored instead of training a new job"
    )
    return dataclasses.replace(
        change,
        action=Action.RESTORE,
        reason=Reason.RECYCLE_BIN,
        remote=RemoteView(asset_id=record.asset_id, state=BINNED, refreshed=True),
        notes=(*change.notes, note),
        steps=(Step.RESTORE_ASSET,),
    )
