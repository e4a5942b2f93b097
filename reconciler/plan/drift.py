"""Drift: what changed in MetaStudio outside reconciler, read from a plan alone (no I/O).

Terraform's plan format 1.2 lists such objects in ``resource_drift``, beside the changes
planned in answer to them. For a voice the outside world can do two things: delete its job
(in the console, or by another tool), or fail it (the review or the training rejected it).
Both are seen in the refreshed plan, so saved plans carry their drift too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reconciler.jobstates import JobState
from reconciler.plan.model import Plan, Reason, ResourceChange

FAILED_STATES = (JobState.TERMINAL - {JobState.SUCCEED}) | JobState.NEEDS_USER


@dataclass(frozen=True)
class Drift:
    change: ResourceChange
    kind: str  # "vanished": the recorded job no longer exists; "failed": it is in FAILED_STATES

    @property
    def actions(self) -> list[str]:
        """Terraform's words for what happened to the object outside reconciler."""
        return ["delete"] if self.kind == "vanished" else ["update"]

    @property
    def before(self) -> dict[str, Any] | None:
        return self.change.before or None

    @property
    def after(self) -> dict[str, Any] | None:
        """The recorded object as MetaStudio has it now: gone, or carrying its failure."""
        if self.kind == "vanished":
            return None
        remote = self.change.remote
        return {
            **(self.change.before or {}),
            "remote_state": remote.state,
            "failed_reason": remote.failed_reason,
            "audit_errors": list(remote.audit_errors),
        }


def drift_of(change: ResourceChange) -> Drift | None:
    if change.reason is Reason.DRIFT:
        return Drift(change, "vanished")
    remote = change.remote
    if remote.refreshed and remote.job_id and remote.state in FAILED_STATES:
        return Drift(change, "failed")
    return None


def drifts(plan: Plan) -> list[Drift]:
    """In plan order; empty when the plan was not refreshed (nothing remote was read)."""
    found = (drift_of(change) for change in plan.changes)
    return [drift for drift in found if drift is not None]


def is_complete(plan: Plan) -> bool:
    """Terraform's ``complete``: applying this plan converges everything. A targeted or
    excluding plan leaves other voices unplanned, and one not refreshed may be wrong
    about MetaStudio."""
    return plan.refreshed and not plan.targets and not plan.excludes
