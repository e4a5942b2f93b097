"""An apply run around the executor: saved-plan checks and the executor's wiring."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Mapping

from reconciler.apply.checkpoint import Checkpointer
from reconciler.apply.context import ApplyContext
from reconciler.apply.events import Reporter
from reconciler.apply.executor import ApplyResult, execute
from reconciler.apply.packages import package_prefix, remove_stale_packages
from reconciler.errors import ReconcilerError
from reconciler.metastudio import MetaStudioClient
from reconciler.plan.inputs import DesiredVoice
from reconciler.plan.model import Plan
from reconciler.state import State
from reconciler.workspace import Workspace


class StalePlanError(ReconcilerError):
    pass


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
