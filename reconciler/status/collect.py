"""Observe the recorded jobs of some voices with as few calls as refresh can manage."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection

from reconciler.metastudio import JobState, MetaStudioClient
from reconciler.plan.decide import remote_view
from reconciler.plan.inputs import Observed
from reconciler.plan.model import RemoteView
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
        return VoiceStatus(address=address_of(name), name=name, phase=None, recorded=False)
    remote = remote_view(record, observed)
    job_id = record.job_id
    gone = job_id is not None and job_id not in observed.jobs and observed.knows_absent(job_id)
    return VoiceStatus(
        # The job as the plan would show it: one conversion from what refresh saw.
        **{f.name: getattr(remote, f.name) for f in dataclasses.fields(RemoteView)},
        address=record.address,
        name=name,
        phase=record.phase,
        terminal=remote.state in JobState.TERMINAL or record.restored_at is not None,
        restored=record.restored_at is not None,
        needs_user=remote.state in JobState.NEEDS_USER,
        gone=gone,
    )
