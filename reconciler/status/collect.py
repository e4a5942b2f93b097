"""Observe the recorded jobs of some voices with as few calls as refresh can manage."""

from __future__ import annotations

from collections.abc import Collection

from reconciler.metastudio import JobState, MetaStudioClient
from reconciler.plan.inputs import Observed
from reconciler.refresh import refresh
from reconciler.state import State, VoiceRecord, address_of
from reconciler.status.model import VoiceStatus


def collect(
    client: MetaStudioClient, state: State, names: Collection[str] | None = None
) -> list[VoiceStatus]:
    """Statuses of ``names`` (every recorded voice if None), sorted by name.

    A name the state does not know comes back unrecorded rather than as an error, so that
    voices declared but never applied can be shown beside the others.
    """
    wanted = sorted(state.voices) if names is None else sorted(set(names))
    records = {name: state.voices.get(name) for name in wanted}
    ids = [r.job_id for r in records.values() if r is not None and r.job_id]
    # No voice names: status reports on recorded jobs and never goes looking for strangers.
    observed = refresh(client, ids, ()) if ids else Observed()
    return [status_of(name, records[name], observed) for name in wanted]


def status_of(name: str, record: VoiceRecord | None, observed: Observed) -> VoiceStatus:
    if record is None:
        return VoiceStatus(address_of(name), name, None, None, None, recorded=False)
    if record.job_id is None:
        return VoiceStatus(record.address, name, None, record.phase, None)
    job = observed.jobs.get(record.job_id)
    if job is None:
        gone = observed.knows_absent(record.job_id)
        return VoiceStatus(record.address, name, record.job_id, record.phase, None, gone=gone)
    return VoiceStatus(
        address=record.address,
        name=name,
        job_id=record.job_id,
        phase=record.phase,
        state=job.state,
        asset_id=job.asset_id,
        failed_reason=job.failed_reason,
        audit_errors=job.audit_errors,
        terminal=job.state in JobState.TERMINAL,
        needs_user=job.state in JobState.NEEDS_USER,
    )
