"""The steps apply carries out for a change, decided by the planner.

Apply executes a change's steps in order, with a checkpoint after each, and never decides
anything from the change's reason (OpenTofu's rule for its ActionReason): what to do is
written down here, once, where the reason is known.
"""

from __future__ import annotations

from reconciler.plan.inputs import DesiredVoice
from reconciler.plan.model import Action, Reason, ResourceChange, Step
from reconciler.state import VoiceRecord

FRESH_JOB = (Step.CREATE, Step.UPLOAD, Step.SUBMIT)
# Every sequence a plan may hold for each action; saved plans are checked against it.
ALLOWED: dict[Action, frozenset[tuple[Step, ...]]] = {
    Action.NOOP: frozenset({(Step.SYNC,)}),
    Action.DELETE: frozenset({(Step.DELETE_JOB,)}),
    Action.REPLACE: frozenset({(Step.DELETE_JOB, *FRESH_JOB)}),
    Action.CREATE: frozenset({FRESH_JOB}),
    Action.RESUME: frozenset(
        {(Step.UPLOAD, Step.SUBMIT), (Step.MARK_UPLOADED, Step.SUBMIT), FRESH_JOB}
    ),
}
ALLOWED[Action.UPDATE] = ALLOWED[Action.RESUME]


def steps_for(
    change: ResourceChange, record: VoiceRecord | None, want: DesiredVoice | None
) -> tuple[Step, ...]:
    action = change.action
    if action is Action.NOOP:
        return (Step.SYNC,)
    if action is Action.DELETE:
        return (Step.DELETE_JOB,)
    if action is Action.REPLACE:
        return (Step.DELETE_JOB, *FRESH_JOB)
    if action is Action.CREATE or change.reason is Reason.ADOPT or record is None:
        return FRESH_JOB  # an adopted job is recorded by the create step, then filled
    data_changed = want is not None and record.data_digest != want.spec.get("data_digest")
    transfer = record.phase == "created" or data_changed or change.reason is Reason.RESUBMIT
    return (Step.UPLOAD if transfer else Step.MARK_UPLOADED, Step.SUBMIT)
