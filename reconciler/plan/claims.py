"""A saved plan is a claim that apply verifies, never an instruction it trusts.

The file's content digest binds it to its content, but whoever edits the file can recompute
it. So apply plans again, under the lock, from the configuration, the state and what
MetaStudio says at that moment, with the intent the file records (--target, --exclude,
--replace, --destroy), and carries out only what both agree on: every change the file holds must be
one the new plan makes too, with the same action, the same steps and the same job and asset
IDs. A file can narrow what apply does (fewer voices); it can never add to it. What runs is
the new plan's change, so nothing the file says (an ID, a spec, a step) reaches MetaStudio
unless the configuration and the state call for it as well.
"""

from __future__ import annotations

import dataclasses

from reconciler.addresses import address_of, matches
from reconciler.plan.in_place import asset_body, in_place_paths, update_call
from reconciler.plan.model import Action, Plan, ResourceChange, Step
from reconciler.plan.planner import PlanError

CALL_FOR = "the configuration and the state call for"
HINT = "run `reconciler plan --out FILE` again and review the new plan"


class UnverifiedPlanError(PlanError):
    """The saved plan claims a change that the configuration and the state do not call for."""

    def __init__(self, problem: str) -> None:
        super().__init__([f"refusing to apply the plan: {problem}"])
        self.hint = HINT


def verified(saved: Plan, derived: Plan) -> Plan:
    """``derived`` (planned again with ``saved``'s intent, for the voices ``saved`` changes)
    narrowed to those voices; raises on the first change of ``saved`` it does not make."""
    ours = {change.name: change for change in derived.changes}
    carried = []
    for claim in saved.changes:
        change = ours.get(claim.name)
        problem = _difference(saved, claim, change)
        if problem is not None:
            raise UnverifiedPlanError(problem)
        assert change is not None  # _difference said so
        carried.append(change)
    return dataclasses.replace(
        derived,
        changes=tuple(carried),
        unchanged=saved.unchanged,
        created_at=saved.created_at,
    )


def _difference(saved: Plan, claim: ResourceChange, change: ResourceChange | None) -> str | None:
    where = address_of(claim.name)
    if claim.address != where:
        return f"changes name voice {claim.name!r} at address {claim.address}"
    if saved.targets and not _targeted(claim, saved.targets):
        return f"{where} is outside the plan's --target selection"
    if saved.excludes and any(matches(a, saved.excludes) for a in _addresses(claim)):
        return f"{where} is excluded by the plan's --exclude"
    if change is None:
        return f"{where}: the plan says {_says(claim)}, but {CALL_FOR} nothing"
    if claim.previous_address != change.previous_address:
        return (
            f"{where}: the plan moves it from {claim.previous_address or 'nowhere'}, "
            f"but {CALL_FOR} a move from {change.previous_address or 'nowhere'}"
        )
    if _only_records(change) and (_only_records(claim) or _may_have_landed(claim)):
        # What is recorded is what MetaStudio says now, not what the file said; and a submit
        # the file plans may have landed since (a killed run's, late): not sent twice.
        return None
    if claim.action is not change.action:
        return f"{where}: the plan says {_says(claim)}, but {CALL_FOR} {_says(change)}"
    if claim.steps != change.steps:
        return f"{where}: the plan's steps are {_steps(claim)}, but {CALL_FOR} {_steps(change)}"
    if Step.UPDATE_ASSET in claim.steps and _in_place(claim) != _in_place(change):
        # What a reviewer read (the rows, the call) must be what the asset is set to.
        return (
            f"{where}: the plan updates {update_call(claim) or 'nothing'} in place to other "
            f"values than {CALL_FOR}"
        )
    for label, theirs, mine in (
        ("job", claim.remote.job_id, change.remote.job_id),
        ("asset", claim.remote.asset_id, change.remote.asset_id),
        ("job to adopt", claim.adopt_job_id, change.adopt_job_id),
    ):
        if theirs != mine:
            return (
                f"{where}: the plan names {label} {theirs or 'none'}, "
                f"but MetaStudio and the state say {mine or 'none'}"
            )
    return None


_FINISHING = frozenset({Action.RESUME, Action.UPDATE})


def _may_have_landed(claim: ResourceChange) -> bool:
    """A finishing step the file plans that a killed run may have taken since: a submit.
    An asset update is recorded with its call, so the re-derived plan would still make it."""
    return claim.action in _FINISHING and Step.UPDATE_ASSET not in claim.steps


def _targeted(claim: ResourceChange, targets: tuple[str, ...]) -> bool:
    """A move is in scope if either of its addresses is targeted."""
    return any(matches(a, targets) for a in _addresses(claim))


def _addresses(claim: ResourceChange) -> tuple[str, ...]:
    old = claim.previous_address
    return (claim.address,) if old is None else (claim.address, old)


def _only_records(change: ResourceChange) -> bool:
    """No remote step: what is recorded (a move included) follows MetaStudio and the
    configuration now, and the move was compared above."""
    return change.action is Action.NOOP and set(change.steps) <= {Step.SYNC, Step.MOVE}


def _in_place(change: ResourceChange) -> tuple[object, ...]:
    paths = in_place_paths(change)
    rows = tuple((c.path, c.after) for c in change.changes if c.path in paths)
    return rows, asset_body(paths, change.after or {})


def _says(change: ResourceChange) -> str:
    return f"{change.action.value} ({change.reason.value})"


def _steps(change: ResourceChange) -> str:
    return ", ".join(step.value for step in change.steps) or "none"
