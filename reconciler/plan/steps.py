"""The steps apply carries out for a change, decided by the planner.

Apply executes a change's steps in order, with a checkpoint after each, and never decides
anything from the change's reason (OpenTofu's rule for its ActionReason): what to do is
written down here, once, where the reason is known.
"""

from __future__ import annotations

import dataclasses

from reconciler.plan.inputs import DesiredVoice
from reconciler.plan.model import Action, Reason, ResourceChange, Step
from reconciler.plan.sync import sync_changes
from reconciler.state.record import VoiceRecord

FRESH_JOB = (Step.CREATE, Step.UPLOAD, Step.SUBMIT)
# The asset goes before the job: the replacement's model is published under the same name,
# which must be free by then, and a job deleted first would leave an asset nothing records.
DELETE_BOTH = (Step.DELETE_ASSET, Step.DELETE_JOB)
# Every sequence a plan may hold for each action; saved plans are checked against it.
ALLOWED: dict[Action, frozenset[tuple[Step, ...]]] = {
    Action.NOOP: frozenset({(Step.SYNC,), ()}),  # (): nothing to record either
    Action.DELETE: frozenset({(Step.DELETE_JOB,), DELETE_BOTH}),
    Action.REPLACE: frozenset({(Step.DELETE_JOB, *FRESH_JOB), (*DELETE_BOTH, *FRESH_JOB)}),
    Action.CREATE: frozenset({FRESH_JOB, (Step.DELETE_ASSET, *FRESH_JOB)}),
    Action.RESTORE: frozenset({(Step.RESTORE_ASSET,)}),
    Action.RESUME: frozenset(
        {(Step.UPLOAD, Step.SUBMIT), (Step.MARK_UPLOADED, Step.SUBMIT), FRESH_JOB}
    ),
    Action.FORGET: frozenset({(Step.FORGET,)}),
}
# A trained model's asset changed in place: the job is kept.
ALLOWED[Action.UPDATE] = ALLOWED[Action.RESUME] | {(Step.UPDATE_ASSET,)}


def allowed(change: ResourceChange) -> bool:
    """Whether ``change``'s steps are what its action does: a moved voice's begin with the
    move, and only a moved voice's do."""
    steps = change.steps
    if change.previous_address is not None:
        if steps[:1] != (Step.MOVE,):
            return False
        steps = steps[1:]
    return steps in ALLOWED[change.action]


def planned(
    change: ResourceChange,
    record: VoiceRecord | None,
    want: DesiredVoice | None,
    *,
    keep_asset: bool,
    prevent_destroy: bool = False,
) -> ResourceChange:
    """``change`` with its steps, and a note on the trained asset when the job goes."""
    steps = steps_for(change, record, want, keep_asset=keep_asset, prevent_destroy=prevent_destroy)
    if change.previous_address is not None:
        steps = (Step.MOVE, *steps)  # one checkpoint, before anything else is done for it
    asset_id = asset_of(change, record)
    if asset_id is None:
        return dataclasses.replace(change, steps=steps)
    if _left_by_vanished_job(change, record):
        note = _vanished_job_note(asset_id, steps, want, keep_asset=keep_asset)
    elif change.action in (Action.DELETE, Action.REPLACE):
        if Step.DELETE_ASSET in steps:
            note = f"the trained asset {asset_id} will be deleted too"
        else:
            note = f"the trained asset {asset_id} is kept (lifecycle.keep_asset)"
    else:
        return dataclasses.replace(change, steps=steps)
    return dataclasses.replace(change, steps=steps, notes=(*change.notes, note))


def _left_by_vanished_job(change: ResourceChange, record: VoiceRecord | None) -> bool:
    """A re-create after the recorded job vanished, whose trained asset the state records:
    the new record would overwrite its ID, and while it exists the new model cannot be
    published under the same voice_name (MSS.10001005)."""
    return (
        change.action is Action.CREATE
        and change.reason is Reason.DRIFT
        and record is not None
        and record.asset_id is not None
    )


def _vanished_job_note(
    asset_id: str, steps: tuple[Step, ...], want: DesiredVoice | None, *, keep_asset: bool
) -> str:
    if Step.DELETE_ASSET in steps:
        return (
            f"the vanished job's trained asset {asset_id} will be deleted first, "
            "so that the new model can be published under its voice_name"
        )
    guard = "lifecycle.keep_asset" if keep_asset else "lifecycle.prevent_destroy"
    name = f" {want.voice_name!r}" if want is not None else ""
    return (
        f"the vanished job's trained asset {asset_id} is kept ({guard}); while it exists, "
        f"the new model cannot be published under voice_name{name} (MSS.10001005)"
    )


def asset_of(change: ResourceChange, record: VoiceRecord | None) -> str | None:
    """The trained model's asset: as recorded, else as refresh saw it on the job."""
    return (record.asset_id if record is not None else None) or change.remote.asset_id


def steps_for(
    change: ResourceChange,
    record: VoiceRecord | None,
    want: DesiredVoice | None,
    *,
    keep_asset: bool = False,
    prevent_destroy: bool = False,
) -> tuple[Step, ...]:
    action = change.action
    if action is Action.FORGET:
        return (Step.FORGET,)
    if action is Action.RESTORE:
        return (Step.RESTORE_ASSET,)
    if action is Action.NOOP:
        # Only a no-op that records something has a step: the others cost apply nothing,
        # and a saved plan leaves them out (plancodec), whatever the catalogue's size.
        if record is None or want is None or not sync_changes(record, want.spec, change.remote):
            return ()
        return (Step.SYNC,)
    if _left_by_vanished_job(change, record):
        protected = keep_asset or prevent_destroy
        return FRESH_JOB if protected else (Step.DELETE_ASSET, *FRESH_JOB)
    if action in (Action.DELETE, Action.REPLACE):
        both = asset_of(change, record) is not None and not keep_asset
        deletes = DELETE_BOTH if both else (Step.DELETE_JOB,)
        return (*deletes, *FRESH_JOB) if action is Action.REPLACE else deletes
    if change.reason is Reason.IN_PLACE:
        return (Step.UPDATE_ASSET,)
    if action is Action.CREATE or change.reason is Reason.ADOPT or record is None:
        return FRESH_JOB  # an adopted job is recorded by the create step, then filled
    data_changed = want is not None and record.data_digest != want.spec.get("data_digest")
    transfer = record.phase == "created" or data_changed or change.reason is Reason.RESUBMIT
    return (Step.UPLOAD if transfer else Step.MARK_UPLOADED, Step.SUBMIT)
