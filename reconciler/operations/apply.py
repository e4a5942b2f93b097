"""apply and destroy: plan (or take a saved plan), approve, execute.

The state lock is held from reading the state to the last checkpoint. Waiting for training
is not apply's: the verb calls the status operation afterwards (`apply --wait`), once the
lock is released, as training takes hours while other runs may plan.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from reconciler.apply.checkpoint import Checkpointer
from reconciler.apply.context import ApplyContext
from reconciler.apply.events import Reporter
from reconciler.apply.executor import execute
from reconciler.apply.outcome import ApplyResult
from reconciler.apply.packages import package_prefix, remove_stale_packages
from reconciler.errors import ReconcilerError
from reconciler.metastudio import MetaStudioClient
from reconciler.operations.desired import config_digest
from reconciler.operations.guard import check_destructive
from reconciler.operations.locking import state_lock
from reconciler.operations.plan import LocalChecks, PlanRequest, build_plan, tenant_durations
from reconciler.operations.workspace import Workspace
from reconciler.plan.claims import verified
from reconciler.plan.inputs import DesiredVoice
from reconciler.plan.model import Action, Plan, Step
from reconciler.plan.resources import ResourceNeed, shortages
from reconciler.state import State


class StalePlanError(ReconcilerError):
    pass


class NotEnoughResourcesError(ReconcilerError):
    """The plan would submit more jobs of an edition than the tenant has resources for."""


def check_resources(needs: tuple[ResourceNeed, ...]) -> None:
    """Refuse the whole plan before anything is created: a job that cannot be submitted
    would sit in CREATING, and its data would have been uploaded for nothing."""
    short = shortages(needs)
    if short:
        raise NotEnoughResourcesError(
            "not enough training resources: the plan "
            + "; ".join(need.describe() for need in short)
            + "; nothing was created",
            hint="buy more in the MetaStudio console, or apply fewer voices with --target",
        )


def submitted(plan: Plan) -> set[str]:
    """The voices whose data the plan sends for review."""
    return {c.name for c in plan.changes if Step.SUBMIT in c.steps}


def state_for_saved_plan(plan: Plan, state: State) -> State:
    """Before the first apply there is no state file, and each read invents a lineage; a plan
    made then carries the lineage the new state is to have (phone fingerprints use it)."""
    if state.serial == 0 and not state.voices and plan.state_serial == 0:
        return dataclasses.replace(state, lineage=plan.state_lineage)
    return state


def check_saved_plan(plan: Plan, state: State, current_config_digest: str) -> None:
    """A saved plan is applied exactly, or not at all: refuse it if anything moved since."""
    hint = "run `reconciler plan --out FILE` again and review the new plan"
    if plan.state_lineage != state.lineage:
        raise StalePlanError(
            f"the saved plan belongs to state lineage {plan.state_lineage}, "
            f"but the state file is lineage {state.lineage}",
            hint=hint,
        )
    if plan.state_serial != state.serial:
        raise StalePlanError(
            f"the saved plan is stale: it was made at state serial {plan.state_serial} and the "
            f"state is now at serial {state.serial}",
            hint=hint,
        )
    if plan.config_digest != current_config_digest:
        raise StalePlanError(
            "the saved plan is stale: the configuration or its training data changed since "
            "it was made",
            hint=hint,
        )


def apply_plan(
    workspace: Workspace,
    client: MetaStudioClient,
    state: State,
    plan: Plan,
    desired: Mapping[str, DesiredVoice],
    *,
    reporter: Reporter,
    parallelism: int,
    stop: threading.Event | None = None,
) -> ApplyResult:
    """Run ``plan``; the caller holds the state lock (which makes removing leftovers safe)."""
    # Before anything is done: a plan that would wrongly delete a job is refused whole.
    check_destructive(plan, state, desired, client)
    state_path = workspace.config.state_path
    remove_stale_packages(workspace.work_dir, state_path)
    ctx = ApplyContext(
        client=client,
        checkpoint=Checkpointer(workspace.backend, state),
        work_dir=workspace.work_dir,
        package_prefix=package_prefix(state_path),
        reporter=reporter,
        stop=stop or threading.Event(),
    )
    return execute(ctx, plan, workspace.config.voices, desired, parallelism=parallelism)


def verify_saved_plan(
    workspace: Workspace, state: State, client: MetaStudioClient, request: ApplyRequest
) -> tuple[Plan, dict[str, DesiredVoice]]:
    """Plan again, with the file's intent, only the voices the file changes (what this costs
    follows the plan, not the catalogue), and keep of it what the file claims."""
    saved = request.saved
    assert saved is not None
    again = PlanRequest(
        targets=(),  # the file's own --target is checked against each of its changes
        excludes=saved.excludes,  # and its --exclude too (plan/claims.py)
        replace=saved.replace,
        destroy=saved.destroy,
        scope=frozenset(c.name for c in saved.changes),
    )
    prepared = build_plan(workspace, state, client, again, request.created_at)
    # The guard first: where it objects, it says why in the terms of the guard that forbids.
    check_destructive(saved, state, prepared.desired, client)
    return verified(saved, prepared.plan), prepared.desired


@dataclass(frozen=True)
class ApplyRequest:
    operation: str  # "apply" or "destroy": named in the lock note
    created_at: str
    plan: PlanRequest = dataclasses.field(default_factory=PlanRequest)  # without a saved plan
    saved: Plan | None = None  # apply exactly this plan
    parallelism: int = 4
    lock_timeout: float = 0.0


@dataclass(frozen=True)
class ApplyRun:
    plan: Plan
    result: ApplyResult

    @property
    def finished(self) -> bool:
        """Every change was carried out: none failed, none was interrupted."""
        return not (self.result.failed or self.result.interrupted)

    @property
    def kept(self) -> list[str]:
        """The voices the plan leaves in place (all but the deleted and the forgotten): what
        a wait follows."""
        gone = (Action.DELETE, Action.FORGET)
        deleted = {c.name for c in self.plan.changes if c.action in gone}
        return [name for name in self.plan.names if name not in deleted]


class ApplyListener(Protocol):
    """What the command shows and asks while an apply runs; the defaults do nothing."""

    def approve(self, plan: Plan) -> None:
        """Called with a fresh plan before anything is done; raise to refuse it."""

    def applied(self, run: ApplyRun) -> None:
        """Called once every change is carried out, with the lock still held."""


def run_apply(
    workspace: Workspace,
    client: MetaStudioClient,
    request: ApplyRequest,
    *,
    reporter: Reporter,
    listener: ApplyListener,
    local_checks: LocalChecks | None = None,
    stop: threading.Event | None = None,
) -> ApplyRun:
    """``local_checks`` (the data preflight) overlaps the refresh when planning here;
    ``stop``, once set, starts no new step (as Ctrl-C does). The lock is released on return."""
    with state_lock(
        workspace.backend, request.operation, request.lock_timeout, workspace.lock_waits
    ):
        state = workspace.backend.read()
        if request.saved is not None:
            if local_checks is not None:
                # The plan checked every voice's data, and the config digest below says
                # it is unchanged since: what is checked again is what goes to review.
                local_checks(tenant_durations(client), submitted(request.saved))
            state = state_for_saved_plan(request.saved, state)
            # The digest before the specs: data changed in between then fails the check
            # rather than slipping past it.
            digest = config_digest(workspace.config, workspace.cache)
            check_saved_plan(request.saved, state, digest)
            plan, desired = verify_saved_plan(workspace, state, client, request)
            check_resources(plan.resources)
        else:
            prepared = build_plan(
                workspace,
                state,
                client,
                request.plan,
                request.created_at,
                local_checks=local_checks,
            )
            plan, desired = prepared.plan, prepared.desired
            check_resources(plan.resources)
            listener.approve(plan)
        result = apply_plan(
            workspace,
            client,
            state,
            plan,
            desired,
            reporter=reporter,
            parallelism=request.parallelism,
            stop=stop,
        )
        run = ApplyRun(plan, result)
        listener.applied(run)
    return run
