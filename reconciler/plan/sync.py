"""What a no-op change records without any remote step: the lifecycle settings and preview
text the configuration now gives, and what refresh saw of the job.

The planner asks it to know whether a no-op has anything to record (a Step.SYNC), apply to
record exactly that; one function, so the two can never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler.jobstates import JobState
from reconciler.plan.inputs import RECORD_FIELDS
from reconciler.plan.model import RemoteView
from reconciler.state.record import VoiceRecord

_LOCAL_SPEC_FIELDS = ("preview_text",)  # used only locally: changing them needs no remote step
assert not set(_LOCAL_SPEC_FIELDS) & set(RECORD_FIELDS)  # so the record's spec holds them as is


def sync_changes(
    record: VoiceRecord, want: Mapping[str, Any], remote: RemoteView
) -> dict[str, Any]:
    """The record fields to set for a voice whose desired spec is ``want``; {} for none."""
    changes: dict[str, Any] = {}
    local = {k: want.get(k) for k in _LOCAL_SPEC_FIELDS}  # none is a record field
    if {k: record.spec.get(k) for k in local} != local:
        changes["spec"] = {**record.spec, **local}
    prevent_destroy = bool(want.get("prevent_destroy", False))
    if record.prevent_destroy != prevent_destroy:
        changes["prevent_destroy"] = prevent_destroy
    keep_asset = bool(want.get("keep_asset", False))
    if record.keep_asset != keep_asset:
        changes["keep_asset"] = keep_asset
    if not remote.refreshed:
        return changes
    if record.phase != "submitted" and remote.state not in (None, JobState.CREATING):
        changes["phase"] = "submitted"  # submitted by a run killed before recording it
    if (remote.state, remote.asset_id) != (record.remote_state, record.asset_id):
        changes["remote_state"], changes["asset_id"] = remote.state, remote.asset_id
    return changes
