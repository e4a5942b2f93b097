"""The one flow of `apply` and `destroy`: apply, then (apply --wait) wait, told by the view
the verb chose from its flags."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from reconciler.commands._common import check_data, load_workspace
from reconciler.environment import Environment
from reconciler.operations.apply import ApplyRequest, run_apply
from reconciler.operations.planfile import load_plan
from reconciler.operations.status import WaitRequest, wait_for

if TYPE_CHECKING:
    from reconciler.data.checks import DurationLimits
    from reconciler.plan.model import Plan
    from reconciler.views.apply import ApplyView


def is_plan_file(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() not in (".yaml", ".yml")


def load_saved(path: Path) -> Plan | None:
    return load_plan(path) if is_plan_file(path) else None


def apply_flow(
    path: str,
    request: ApplyRequest,
    env: Environment,
    view: ApplyView,
    wait: WaitRequest | None = None,
) -> int:
    """``path`` is the config; with ``request.saved`` the data is checked before the lock,
    otherwise the checks overlap the refresh. Waiting starts once the lock is released."""
    view.begin(request.saved)
    timeout = wait.timeout if wait is not None else None
    # Checked later, with the tenant's limits.
    workspace = load_workspace(path, env, checks=False, timeout=timeout)

    def checks(
        durations: Mapping[str, DurationLimits] | None, names: Collection[str] | None
    ) -> None:
        check_data(workspace, env, warn=view.warn, durations=durations, names=names)

    try:
        with workspace.client() as client:
            run = run_apply(
                workspace,
                client,
                request,
                reporter=view,
                listener=view,
                stop=env.stop,  # set when stdout goes away (output.py)
                local_checks=checks,
            )
            if wait is None or not run.finished:
                return view.code
            report = wait_for(
                workspace,
                client,
                run.kept,
                wait,
                cwd=env.cwd,
                on_update=view.waiting,
                say=view.say,
            )
    finally:
        view.close()
    return view.waited(report, workspace.config.voices)
