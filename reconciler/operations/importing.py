"""Adopt a job that exists in MetaStudio into the state, so plan and apply manage it from now on.

The record claims no more than can be known: attributes the job reports come from the job, so
the next plan shows honestly where it differs from the configuration; what was uploaded cannot
be read back, so the data digest is the configuration's (the caller tells the user so).
"""

from __future__ import annotations

import dataclasses

from reconciler import attributes
from reconciler.addresses import resolve_address
from reconciler.config import EDITIONS, VoiceSpec, display_path
from reconciler.errors import ReconcilerError
from reconciler.metastudio import JobState, MetaStudioClient, TrainingJob
from reconciler.operations.desired import desired_voices
from reconciler.operations.locking import state_lock
from reconciler.operations.workspace import Workspace
from reconciler.plan.inputs import DesiredVoice, record_fields, record_spec
from reconciler.state import Phase, State, VoiceRecord, address_of


class ImportRefused(ReconcilerError):
    """The job cannot be adopted for this voice; the message says what to change."""


def import_job(
    workspace: Workspace, address: str, job_id: str, *, lock_timeout: float, now: str
) -> VoiceRecord:
    """Record ``job_id`` as the job of the voice at ``address`` and return the new record."""
    name = resolve_address(address, workspace.config.voices, "the configuration")
    voice = workspace.config.voices[name]
    with state_lock(workspace.backend, "import", lock_timeout, workspace.lock_waits):
        state = workspace.backend.read()
        check_unrecorded(state, name, job_id)
        with workspace.client() as client:
            job = fetch_job(client, job_id)
        check_matches(voice, job, workspace)
        # Under the state's lineage, so that a phone fingerprint compares equal in the next plan.
        desired = desired_voices(workspace.config, workspace.cache, state.lineage, {name})[name]
        record = adopted_record(voice, desired, job, now)
        workspace.backend.write(state.with_voice(record))
    return record


def check_unrecorded(state: State, name: str, job_id: str) -> None:
    address = address_of(name)
    record = state.voice(name)
    if record is not None and record.job_id is not None:
        if record.job_id == job_id:
            raise ImportRefused(f"{address} already records job {job_id}: nothing to import")
        raise ImportRefused(
            f"{address} already records job {record.job_id} in the state",
            hint=f"to adopt job {job_id} instead, first forget the recorded one with "
            f"`reconciler state rm {address}`, which leaves its job in MetaStudio",
        )
    for other in state.voices.values():
        if other.job_id == job_id:
            raise ImportRefused(
                f"job {job_id} is already recorded for {other.address}",
                hint="one job can belong to one voice only; "
                f"`reconciler state rm {other.address}` first if it belongs to {address}",
            )


def fetch_job(client: MetaStudioClient, job_id: str) -> TrainingJob:
    job = client.find_job(job_id)
    if job is None:
        raise ImportRefused(
            f"MetaStudio has no job {job_id} in this project",
            hint="check the job ID and the provider's project_id and region",
        )
    return job if job.job_id else dataclasses.replace(job, job_id=job_id)


def check_matches(voice: VoiceSpec, job: TrainingJob, workspace: Workspace) -> None:
    def where(field_name: str) -> str:
        location = voice.location_of(field_name)
        line = f":{location.line}" if location.line else ""
        return f"{display_path(location.file, workspace.config.root_dir)}{line}"

    if job.voice_name != voice.voice_name:
        raise ImportRefused(
            f"job {job.job_id} is named {job.voice_name!r}, but {voice.address} declares "
            f"voice_name {voice.voice_name!r}",
            hint=f"to adopt this job, set voice_name: {job.voice_name} at {where('voice_name')}",
        )
    if job.job_type != voice.job_type:
        editions = [e.name for e in EDITIONS.values() if e.job_type == job.job_type]
        fix = (
            f"to adopt this job, set edition: {editions[0]} at {where('edition')}"
            if editions
            else "reconciler knows no edition for that job type"
        )
        raise ImportRefused(
            f"job {job.job_id} is a {job.job_type} job, but {voice.address} declares edition "
            f"{voice.edition!r} (job type {voice.job_type})",
            hint=fix,
        )


def adopted_record(
    voice: VoiceSpec, desired: DesiredVoice, job: TrainingJob, now: str
) -> VoiceRecord:
    spec = record_spec(desired.spec)
    # TrainingJobInfo reports a few attributes of the create request and hides the rest
    # (phone, description...): those it reports are the job's, not the configuration's.
    for attribute in attributes.TABLE.reported:
        value = getattr(job, attribute.api or attribute.name)
        if value is not None:
            spec[attribute.name] = value
    # Only a CREATING job still takes uploads; any other state (or none reported) means it has
    # been submitted, and uploading onto it would be refused.
    phase: Phase = "created" if job.state == JobState.CREATING else "submitted"
    return VoiceRecord(
        name=voice.name,
        edition=voice.edition,
        job_type=voice.job_type,
        phase=phase,
        created_at=now,
        updated_at=now,
        job_id=job.job_id,
        spec=spec,
        remote_state=job.state,
        asset_id=job.asset_id,
        **record_fields(desired.spec),
    )
