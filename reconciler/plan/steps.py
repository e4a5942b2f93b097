"""The steps apply carries out for a change, decided by the planner.

Apply executes a change's steps in order, with a checkpoint after each, and never decides
anything from the change's reason (OpenTofu's rule for its ActionReason): what to do is
written down here, once, where the reason is known.
"""

from __future__ import annotations

import dataclasses

from reconciler.plan.inputs import DesiredVoice
from reconciler.plan.model import Action, Reason, ResourceChange, Step
from reconciler.state import VoiceRecord

FRESH_JOB = (Step.CREATE, Step.UPLOAD, Step.SUBMIT)
# The asset goes before the job: the replacement's model is published under the same name,
# which must be free by then, and a job deleted first would leave an asset nothing records.
DELETE_BOTH = (Step.DELETE_ASSET, Step.DELETE_JOB)
# Every sequence a plan may hold for each action; saved plans are checked against it.
ALLOWED: dict[Action, frozenset[tuple[Step, ...]]] = {
    Action.NOOP: frozenset({(Step.SYNC,)}),
    Action.DELETE: frozenset({(Step.DELETE_JOB,), DELETE_BOTH}),
    Action.REPLACE: frozenset({(Step.DELETE_JOB, *FRESH_JOB), (*DELETE_BOTH, *FRESH_JOB)}),
    Action.CREATE: frozenset({FRESH_JOB}),
    Action.RESUME: frozenset(
        {(Step.UPLOAD, Step.SUBMIT), (Step.MARK_UPLOADED, Step.SUBMIT), FRESH_JOB}
    ),
}
ALLOWED[Action.UPDATE] = ALLOWED[Action.RESUME]


def planned(
    change: ResourceChange,
    record: VoiceRecord | None,
    want: DesiredVoice | None,
    *,
    keep_asset: bool,
) -> ResourceChange:
    """``change`` with its steps, and a note on the trained asset when the job goes."""
    steps = steps_for(change, record, want, keep_asset=keep_asset)
    asset_id = asset_of(change, record)
    if change.action not in (Action.DELETE, Action.REPLACE) or asset_id is None:
        return dataclasses.replace(change, steps=steps)
    if Step.DELETE_ASSET in steps:
        note = f"the trained asset {asset_id} will be deleted too"
    else:
        note = f"the trained asset {asset_id} is kept (lifecycle.keep_asset)"
    return dataclasses.replace(change, steps=steps, notes=(*change.notes, note))


def asset_of(change: ResourceChange, record: VoiceRecord | None) -> str | None:
    """The trained model's asset: as recorded, else as refresh saw it on the job."""
    return (record.asset_id if record is not None else None) or change.remote.asset_id


def steps_for(
    change: ResourceChange,
    record: VoiceRecord | None,
    want: DesiredVoice | None,
    *,
    keep_asset: bool = False,
) -> tuple[Step, ...]:
    action = change.action
    if action is Action.NOOP:
        return (Step.SYNC,)
    if action in (Action.DELETE, Action.REPLACE):
        both = asset_of(change, record) is not None and not keep_asset
        deletes = DELETE_BOTH if both else (Step.DELETE_JOB,)
        return (*deletes, *FRESH_JOB) if action is Action.REPLACE else deletes
    if action is Action.CREATE or change.reason is Reason.ADOPT or record is None:
        return FRESH_JOB  # an adopted job is recorded by the create step, then filled
    data_changed = want is not None and record.data_digest != want.spec.get("data_digest")
    transfer = record.phase == "created" or data_changed or change.reason is Reason.RESUBMIT
    return (Step.UPLOAD if transfer else Step.MARK_UPLOADED, Step.SUBMIT)
