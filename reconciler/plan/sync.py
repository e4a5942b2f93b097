"""What a no-op change records without any remote step: the lifecycle settings and preview
text the configuration now gives, and what refresh saw of the job.

The planner asks it to know whether a no-op has anything to record (a Step.SYNC), apply to
record exactly that; one function, so the two can never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reconciler import attributes
from reconciler.jobstates import JobState
from reconciler.plan.inputs import record_fields
from reconciler.plan.model import RemoteView
from reconciler.state.record import VoiceRecord


def sync_changes(
    record: VoiceRecord, want: Mapping[str, Any], remote: RemoteView
) -> dict[str, Any]:
    """The record fields to set for a voice whose desired spec is ``want``; {} for none."""
    table = attributes.TABLE
    changes: dict[str, Any] = {}
    # Local attributes need no remote step: those kept in the record's spec, then its own fields.
    local = {k: want.get(k) for k in table.local_in_spec}
    if {k: record.spec.get(k) for k in local} != local:
        changes["spec"] = {**record.spec, **local}
    own = record_fields(want)
    for name in table.local_own_fields:
        if getattr(record, name) != own[name]:
            changes[name] = own[name]
    if record.data_digest is None and want.get("data_digest") is not None:
        # Adopted without its data (plan/decide.py _unknown_data): the configuration's, now.
        changes["data_digest"] = want["data_digest"]
    if not remote.refreshed:
        return changes
    if record.phase != "submitted" and remote.state not in (None, JobState.CREATING):
        changes["phase"] = "submitted"  # submitted by a run killed before recording it
    if (remote.state, remote.asset_id) != (record.remote_state, record.asset_id):
        changes["remote_state"], changes["asset_id"] = remote.state, remote.asset_id
    return changes
