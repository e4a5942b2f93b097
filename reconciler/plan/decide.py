"""What to do with one voice, given what the config wants, what the state recorded and what
refresh saw. Pure: the planner's loop and guards live in planner.py."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from typing import Any

from reconciler import attributes
from reconciler.addresses import address_of
from reconciler.jobstates import JobState
from reconciler.plan.diff import attribute_changes
from reconciler.plan.inputs import DesiredVoice, Observed, ObservedJob
from reconciler.plan.model import Action, AttributeChange, Reason, RemoteView, ResourceChange
from reconciler.state.record import VoiceRecord

COMPUTED = frozenset({"job_id"})
STILL_OPEN = frozenset({JobState.CREATING})  # the only state in which uploads may be changed
TAINTED = JobState.TERMINAL - {JobState.SUCCEED}  # a new job is needed
NEEDS_USER = JobState.NEEDS_USER
# Submitted and on its way (or done): every documented state not named above.
KNOWN_PROGRESS = JobState.KNOWN - STILL_OPEN - TAINTED - NEEDS_USER


def recorded_spec(record: VoiceRecord) -> dict[str, Any]:
    """The spec the state recorded, its own fields put back as the desired spec has them."""
    own = ((a, getattr(record, a.name)) for a in attributes.TABLE.own_fields)
    return {
        **record.spec,
        **{a.name: value for a, value in own if a.in_spec(value)},
        "job_id": record.job_id,
    }


def remote_view(record: VoiceRecord | None, observed: Observed | None) -> RemoteView:
    if record is not None and record.restored_at is not None:
        return RemoteView(state=record.remote_state, asset_id=record.asset_id)
    if record is None or record.job_id is None:
        return RemoteView()
    if observed is None:
        return RemoteView(job_id=record.job_id, state=record.remote_state, asset_id=record.asset_id)
    job = observed.jobs.get(record.job_id)
    if job is None:
        return RemoteView(job_id=record.job_id, refreshed=True)
    return _view(job)


def _view(job: ObservedJob) -> RemoteView:
    return RemoteView(
        job_id=job.job_id,
        state=job.state,
        asset_id=job.asset_id,
        failed_reason=job.failed_reason,
        audit_errors=job.audit_errors,
        refreshed=True,
    )


def _change(
    name: str,
    action: Action,
    reason: Reason,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    *,
    changes: list[AttributeChange] | tuple[AttributeChange, ...] = (),
    remote: RemoteView | None = None,
    notes: tuple[str, ...] = (),
    adopt: str | None = None,
) -> ResourceChange:
    return ResourceChange(
        address=address_of(name),
        name=name,
        action=action,
        reason=reason,
        before=before,
        after=after,
        changes=tuple(changes),
        remote=remote or RemoteView(),
        notes=notes,
        adopt_job_id=adopt,
    )


def decide_removed(
    record: VoiceRecord, observed: Observed | None, destroy: bool, known_ids: Collection[str]
) -> ResourceChange:
    reason = Reason.DESTROY if destroy else Reason.REMOVED
    remote = remote_view(record, observed)
    notes: tuple[str, ...] = ()
    if record.restored_at is not None:
        pass  # restored from the recycle bin: no job, only its asset
    elif record.job_id is None:
        remote, notes = _interrupted_removal(record, observed, known_ids)
    elif observed is not None and observed.knows_absent(record.job_id):
        notes = ("the job no longer exists remotely; only the state record is removed",)
    return _change(
        record.name, Action.DELETE, reason, recorded_spec(record), None, remote=remote, notes=notes
    )


def decide_forget(record: VoiceRecord, observed: Observed | None) -> ResourceChange:
    """A `removed` entry: the state forgets the voice; MetaStudio keeps its job and asset."""
    remote = remote_view(record, observed)
    asset_id = record.asset_id or remote.asset_id
    kept = f"job {record.job_id} " + (
        f"and its trained asset {asset_id} stay" if asset_id else "stays"
    )
    note = f"{kept} in MetaStudio; only the state forgets the voice"
    return _change(
        record.name,
        Action.FORGET,
        Reason.REMOVED_ENTRY,
        recorded_spec(record),
        None,
        remote=remote,
        notes=(note,),
    )


def _interrupted_removal(
    record: VoiceRecord, observed: Observed | None, known_ids: Collection[str]
) -> tuple[RemoteView, tuple[str, ...]]:
    """A voice whose create never returned a job ID goes: apply deletes the job the create
    may have made (dropping the record alone would leave a paid job recorded nowhere)."""
    attempt = record.create_attempt or {}
    if observed is None or not observed.checked_name(str(attempt.get("voice_name"))):
        note = (
            "an earlier create never returned a job ID; apply looks for the job it may have "
            "made and deletes it"
        )
        return RemoteView(), (note,)
    made = observed.made_by_attempt(attempt, known_ids)
    if not made:
        note = "the interrupted create left no job behind; only the state record is removed"
        return RemoteView(refreshed=True), (note,)
    job = made[0]  # the one apply's lookup picks: the oldest
    note = f"job {job.job_id}, made by an interrupted create, will be deleted"
    return _view(job), (note,)


def decide_new(want: DesiredVoice) -> ResourceChange:
    return _change(want.name, Action.CREATE, Reason.NEW, None, dict(want.spec))


def decide_interrupted_create(
    want: DesiredVoice, record: VoiceRecord, observed: Observed | None, known_ids: Collection[str]
) -> ResourceChange:
    """A create was sent but its answer never recorded: find the job before making another."""
    attempt = record.create_attempt or {}
    after = dict(want.spec)
    if observed is None or not observed.checked_name(str(attempt.get("voice_name"))):
        note = "apply will look for a job created by the interrupted attempt before creating one"
        return _change(want.name, Action.CREATE, Reason.RECOVER_CREATE, None, after, notes=(note,))
    candidates = observed.made_by_attempt(attempt, known_ids)
    if not candidates:
        note = "the interrupted create left no job behind; a new one will be created"
        return _change(want.name, Action.CREATE, Reason.RECOVER_CREATE, None, after, notes=(note,))
    job = candidates[0]  # the one apply's lookup adopts: the oldest since the attempt
    adopted = dataclasses.replace(
        record, job_id=job.job_id, phase="created", remote_state=job.state
    )
    change = decide_recorded(want, adopted, observed, forced=False)
    notes = (f"adopting job {job.job_id}, created by the interrupted attempt", *change.notes)
    return dataclasses.replace(
        change,
        reason=Reason.ADOPT,
        adopt_job_id=job.job_id,
        notes=notes,
        action=Action.RESUME if change.action is Action.NOOP else change.action,
    )


def decide_recorded(
    want: DesiredVoice, record: VoiceRecord, observed: Observed | None, *, forced: bool
) -> ResourceChange:
    before, after = recorded_spec(record), dict(want.spec)
    remote = remote_view(record, observed)
    assert record.job_id is not None
    if observed is not None and observed.knows_absent(record.job_id):
        note = f"job {record.job_id} no longer exists remotely; it will be created again"
        return _change(
            want.name, Action.CREATE, Reason.DRIFT, before, after, remote=remote, notes=(note,)
        )
    table = attributes.TABLE
    state = remote.state
    submitted = record.phase == "submitted" or (state is not None and state not in STILL_OPEN)
    diffs = attribute_changes(
        before, after, ignore=COMPUTED | unknown_data(record, state, submitted)
    )
    remote_diffs = [d for d in diffs if d.path not in table.local]
    shape = {d.path for d in remote_diffs} & table.job_shape
    data_changed = any(d.path in table.training_data for d in remote_diffs)

    def replace(reason: Reason, forcing: set[str], *notes: str) -> ResourceChange:
        marked = [dataclasses.replace(d, forces_replacement=d.path in forcing) for d in diffs]
        return _change(
            want.name,
            Action.REPLACE,
            reason,
            before,
            after,
            changes=marked,
            remote=remote,
            notes=notes,
        )

    def keep(action: Action, reason: Reason, *notes: str) -> ResourceChange:
        return _change(
            want.name, action, reason, before, after, changes=diffs, remote=remote, notes=notes
        )

    if forced:
        return replace(Reason.FORCED, set())
    if shape:
        return replace(Reason.ATTRIBUTES, shape)
    if not submitted:
        if remote_diffs:
            return keep(Action.UPDATE, Reason.CHANGED, _remaining(record))
        return keep(Action.RESUME, Reason.UNFINISHED, _remaining(record))
    if state in NEEDS_USER:
        if data_changed:
            return keep(
                Action.UPDATE,
                Reason.RESUBMIT,
                "new training data will be uploaded and the job submitted again",
            )
        # Submitting the same data again would only fail review again: changed attributes
        # wait for new data, and go in the body of that resubmission (Sent.CREATE_AND_SUBMIT).
        waiting = sorted(d.path for d in remote_diffs)
        later = (
            f"not applied yet: {', '.join(waiting)}; sent with the resubmission once the "
            "training data changes"
        )
        return keep(
            Action.NOOP,
            Reason.AUDIT_FAILED,
            f"the job is {state}: change the training data to upload and resubmit it",
            *([later] if waiting else []),
        )
    if state in TAINTED:
        why = f": {remote.failed_reason}" if remote.failed_reason else ""
        return replace(Reason.TAINTED, set(), f"the job {state}{why}")
    # An attribute the table does not know (say, written by a newer version) forces it too;
    # one with an update_call does not once the model is trained: its asset takes the change.
    trained = _trained(record, remote)
    forcing = {d.path for d in remote_diffs} - (table.updatable if trained else frozenset())
    if forcing:
        return replace(
            Reason.ATTRIBUTES, forcing, "MetaStudio has no update operation for submitted jobs"
        )
    if remote_diffs:
        return keep(Action.UPDATE, Reason.IN_PLACE, "the job is kept: no training is needed")
    if state is not None and state not in KNOWN_PROGRESS:
        return keep(Action.NOOP, Reason.UP_TO_DATE, f"unknown remote state {state}; left alone")
    return keep(Action.NOOP, Reason.UP_TO_DATE)


def _trained(record: VoiceRecord, remote: RemoteView) -> bool:
    """The job SUCCEEDed and its model's asset is known: recorded, or seen by refresh."""
    asset = record.asset_id or remote.asset_id
    return remote.state == JobState.SUCCEED and asset is not None


def unknown_data(record: VoiceRecord, state: str | None, submitted: bool) -> frozenset[str]:
    """A job adopted without its training data (`import --all`) has no recorded digest:
    what it was trained on cannot be read back. Once submitted, the configuration's data is
    taken as that (as `reconciler import` does) rather than paid for with a new job, and a
    sync records its digest. Where new data costs nothing (before submission, or after the
    review rejected it), it is sent."""
    if record.data_digest is None and submitted and state not in NEEDS_USER:
        return frozenset({"data_digest"})
    return frozenset()


def decide_restored(want: DesiredVoice, record: VoiceRecord, *, forced: bool) -> ResourceChange:
    """A voice whose trained model was taken back from the recycle bin: trained, without a
    job. Protected like any trained voice; a change the asset cannot take needs a new job."""
    before, after = recorded_spec(record), dict(want.spec)
    remote = remote_view(record, None)
    diffs = attribute_changes(before, after, ignore=COMPUTED)
    table = attributes.TABLE
    remote_paths = {d.path for d in diffs if d.path not in table.local}
    forcing = remote_paths - table.updatable  # its asset takes what it can, in place
    if forced or forcing:
        marked = [dataclasses.replace(d, forces_replacement=d.path in forcing) for d in diffs]
        reason = Reason.FORCED if forced else Reason.ATTRIBUTES
        return _change(
            want.name, Action.REPLACE, reason, before, after, changes=marked, remote=remote
        )
    if remote_paths:
        return _change(
            want.name,
            Action.UPDATE,
            Reason.IN_PLACE,
            before,
            after,
            changes=diffs,
            remote=remote,
            notes=("no training is needed",),
        )
    return _change(
        want.name, Action.NOOP, Reason.RESTORED, before, after, changes=diffs, remote=remote
    )


def _remaining(record: VoiceRecord) -> str:
    if record.phase == "created":
        return "training data will be uploaded, then the job submitted"
    return "the job will be submitted"
