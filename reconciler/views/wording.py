"""Words for actions and reasons shared by every human-facing rendering, so they agree."""

from __future__ import annotations

from collections import Counter

from reconciler import attributes
from reconciler.plan.in_place import update_call
from reconciler.plan.model import Action, Plan, Reason, ResourceChange
from reconciler.plan.resources import ResourceNeed

VERBS = {
    Action.CREATE: "will be created",
    Action.RESUME: "will be resumed",
    Action.UPDATE: "will be updated in place",
    Action.REPLACE: "must be replaced",
    Action.DELETE: "will be destroyed",
    Action.FORGET: "will be forgotten by the state (its job stays in MetaStudio)",
    Action.NOOP: "will not change",
    Action.RESTORE: "will be restored from the recycle bin",
}

LABELS = {
    Action.CREATE: "create",
    Action.RESUME: "resume",
    Action.UPDATE: "update",
    Action.REPLACE: "replace",
    Action.DELETE: "destroy",
    Action.FORGET: "forget",
    Action.NOOP: "no-op",
    Action.RESTORE: "restore",
}

# The headline already says all there is to say for these.
_PLAIN_REASONS = frozenset({Reason.NEW, Reason.DESTROY, Reason.UP_TO_DATE})

PREVENTED = "prevented by lifecycle.prevent_destroy"
NOT_REFRESHED = (
    "Note: remote state was not refreshed (--refresh=false); "
    "the plan is based on the configuration and the state file only."
)
RESOURCES_HEADING = (
    "Training resources (a submitted job consumes one of its edition; never refunded):"
)
NO_CHANGES = "No changes. Your voices match the configuration."
NO_CHANGES_DESTROY = "No changes. No voices need to be destroyed."


_FIXED_REASONS = {
    Reason.NEW: "new in the configuration",
    Reason.DRIFT: "drift: the recorded job no longer exists remotely",
    Reason.RECOVER_CREATE: "recovering an interrupted create",
    Reason.UNFINISHED: "an earlier apply stopped before submitting the job",
    Reason.FORCED: "because of --replace",
    Reason.REMOVED: "removed from the configuration",
    Reason.REMOVED_ENTRY: "a removed entry in the configuration",
    Reason.DESTROY: "destroy requested",
    Reason.UP_TO_DATE: "up to date",
    Reason.RECYCLE_BIN: "its model, of the same voice_name and data, is in the recycle bin",
    Reason.RESTORED: "restored from the recycle bin; it has no training job",
}


def reason_text(change: ResourceChange) -> str:
    reason, state = change.reason, change.remote.state
    if reason in _FIXED_REASONS:
        return _FIXED_REASONS[reason]
    if reason is Reason.ADOPT:
        return f"adopting job {change.adopt_job_id} found remotely"
    if reason is Reason.RESUBMIT:
        return f"new training data after {state or 'AUDIT_FAILED'}"
    if reason is Reason.TAINTED:
        return f"because the remote job {state or 'FAILED'}"
    if reason is Reason.AUDIT_FAILED:
        return f"the job is {state or 'AUDIT_FAILED'}; waiting for new training data"
    if reason is Reason.IN_PLACE:
        return update_call(change)  # the verb already says "in place"
    attributes = ", ".join(change.replace_paths or [c.path for c in change.changes])
    if reason is Reason.CHANGED:
        return f"changed before submission: {attributes or 'attributes'}"
    return f"{attributes or 'attributes'} cannot change after submission"  # Reason.ATTRIBUTES


def listed(change: ResourceChange) -> bool:
    """Shown among the changes: anything but a no-op, and a no-op that moves."""
    return change.action is not Action.NOOP or change.previous_address is not None


def moved_from(change: ResourceChange) -> str | None:
    """``moved from voice.old`` for a change a `moved` entry brought to its address."""
    return None if change.previous_address is None else f"moved from {change.previous_address}"


def headline(change: ResourceChange) -> str:
    """``voice.x will be created (why)``, the reason only where it adds something."""
    if change.previous_address is not None and change.action is Action.NOOP:
        return f"{change.previous_address} has moved to {change.address}"
    text = f"{change.address} {VERBS[change.action]}"
    if change.reason in _PLAIN_REASONS or change.action is Action.FORGET:
        return text
    return f"{text} ({reason_text(change)})"


def marks_prevented(change: ResourceChange) -> bool:
    return change.action in (Action.DELETE, Action.REPLACE) and change.prevents_destroy


def destroys(change: ResourceChange) -> bool:
    """A job (and the model trained by it) goes away: reviewers must see these first."""
    return change.action in (Action.DELETE, Action.REPLACE)


def waiting_for_data(plan: Plan) -> list[ResourceChange]:
    """No-op voices that still differ from the configuration: a job that failed review takes
    changed attributes only with new training data (see decide.py)."""
    return [
        c
        for c in plan.changes
        if c.action is Action.NOOP
        and c.reason is Reason.AUDIT_FAILED
        and any(d.path not in attributes.TABLE.local for d in c.changes)
    ]


def noop_label(plan: Plan) -> str:
    if plan.destroy:
        return NO_CHANGES_DESTROY
    waiting = len(waiting_for_data(plan))
    if waiting:
        voices = "1 voice differs" if waiting == 1 else f"{waiting} voices differ"
        return (
            f"No changes can be applied now: {voices} from the configuration and "
            "must wait for new training data."
        )
    return NO_CHANGES


def training_progress(plan: Plan) -> str | None:
    """``Training: 2 SUCCEED, 1 PROCESSING.`` over the voices with nothing to do."""
    states = Counter(
        "restored" if c.reason is Reason.RESTORED else c.remote.state or "unknown"
        for c in plan.changes
        if c.action is Action.NOOP
    )
    if not states:
        return None
    counts = ", ".join(
        f"{n} {state}" for state, n in sorted(states.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    when = "" if plan.refreshed else " (as last recorded, not refreshed)"
    return f"Training{when}: {counts}."


def attention(change: ResourceChange) -> list[str]:
    """What a reviewer should read even when the voice has nothing to do."""
    return [*change.notes, *(f"audit error: {e}" for e in change.remote.audit_errors)]


def resource_line(need: ResourceNeed, refreshed: bool) -> str:
    """``needs 3 basic, 2 available: 1 short, apply will refuse``."""
    line = need.describe()
    if need.short:
        return f"{line}: {need.short} short, apply will refuse"
    if need.available is None:
        return f"{line} ({'MetaStudio did not say' if refreshed else 'not refreshed'})"
    return line
