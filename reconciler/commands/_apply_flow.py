"""What `apply` and `destroy` show and ask around the apply operation, and their summary."""

from __future__ import annotations

from pathlib import Path

from reconciler.apply.outcome import ApplyResult, Result
from reconciler.commands._common import check_data, confirm, load_workspace
from reconciler.environment import Environment
from reconciler.errors import ExitStatus, UsageError
from reconciler.operations.apply import ApplyListener, ApplyRequest, ApplyRun, run_apply
from reconciler.operations.planfile import load_plan
from reconciler.plan.model import Action, Plan
from reconciler.status import VoiceStatus
from reconciler.views.apply_json import JsonApply
from reconciler.views.apply_progress import TerminalReporter
from reconciler.views.plan_text import render_text
from reconciler.views.status import finish_report, report_problems
from reconciler.views.stream import JsonStream
from reconciler.views.wait_progress import WaitProgress


def is_plan_file(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() not in (".yaml", ".yml")


class _Terminal(ApplyListener):
    def __init__(self, env: Environment, request: ApplyRequest, *, color: bool, approve: bool):
        self.env = env
        self.request = request
        self.color = color
        self.auto_approve = approve
        self.code = int(ExitStatus.OK)
        self.progress: WaitProgress | None = None

    def approve(self, plan: Plan) -> None:
        self.env.out(render_text(plan, color=self.color))
        if plan.has_changes:
            self.env.out()
            verb = "destroy these voices" if plan.destroy else "perform these actions"
            confirm(
                self.env,
                f"Do you want to {verb}?",
                auto_approve=self.auto_approve,
                what=self.request.operation,
            )

    def applied(self, run: ApplyRun) -> None:
        self.code = summarise(
            run.result, self.env, self.request.operation, destroy=run.plan.destroy
        )
        if self.code == ExitStatus.OK and self.request.wait is not None:
            self.env.out()  # the lock is released before waiting: other runs may plan
            self.progress = WaitProgress(self.env.stdout)

    def waiting(self, statuses: list[VoiceStatus]) -> None:
        if self.progress is not None:
            self.progress.update(statuses)

    def say(self, line: str) -> None:
        if self.progress is not None:
            self.progress.line(line)


def apply_and_report(
    path: str,
    request: ApplyRequest,
    env: Environment,
    *,
    color: bool,
    auto_approve: bool,
) -> int:
    """``path`` is the config; with ``request.saved`` the data is checked before the lock,
    otherwise the checks overlap the refresh."""
    workspace = load_workspace(path, env, checks=False)  # checked with the tenant's limits
    reporter = TerminalReporter(env)
    terminal = _Terminal(env, request, color=color, approve=auto_approve)
    try:
        run = run_apply(
            workspace,
            request,
            reporter=reporter,
            listener=terminal,
            cwd=env.cwd,
            stop=env.stop,  # set when stdout goes away (output.py)
            local_checks=lambda durations, names: check_data(
                workspace, env, durations=durations, names=names
            ),
        )
    finally:
        reporter.close()
        if terminal.progress is not None:
            terminal.progress.close()
    if run.waited is None:
        return terminal.code
    return finish_report(env, workspace, run.waited)


def load_saved(path: Path) -> Plan | None:
    return load_plan(path) if is_plan_file(path) else None


def summarise(result: ApplyResult, env: Environment, operation: str, *, destroy: bool) -> int:
    changed = [o for o in result.outcomes if o.action is not Action.NOOP]
    if not changed and not result.failed:
        env.out(f"No changes. Nothing was {'destroyed' if destroy else 'applied'}.")
        return int(ExitStatus.OK)
    # A destroy plan only ever destroys: the other counts would all be zero.
    kinds = (
        (Result.DESTROYED,)
        if destroy
        else (Result.CREATED, Result.UPDATED, Result.REPLACED, Result.DESTROYED)
    )
    counts = ", ".join(f"{result.count(kind)} {kind.value}" for kind in kinds)
    title = "Destroy" if destroy else "Apply"
    if result.failed:
        env.out(f"\n{title} finished with errors: {counts}, {len(result.failed)} failed.")
        for outcome in result.failed:
            env.err(f"  {outcome.address} ({outcome.action.value}): {outcome.detail}")
    else:
        env.out(f"\n{title} complete: {counts}.")
    if result.interrupted:
        env.err(
            "Interrupted: every finished step is recorded in the state; run "
            f"{operation} again to continue where it stopped."
        )
        return int(ExitStatus.INTERRUPTED)
    return int(ExitStatus.ERROR if result.failed else ExitStatus.OK)


def apply_json(
    path: str, request: ApplyRequest, env: Environment, stream: JsonStream, *, auto_approve: bool
) -> int:
    """Like _apply_flow.apply_and_report, every word as a stream message on stdout."""
    if request.saved is None and not auto_approve:
        raise UsageError(
            f"{request.operation} --json cannot ask for approval",
            hint="review the plan, then add --auto-approve, or apply a saved plan file",
        )
    workspace = load_workspace(path, env, checks=False)  # checked with the tenant's limits
    listener = JsonApply(stream, request)
    run = run_apply(
        workspace,
        request,
        reporter=listener,
        listener=listener,
        cwd=env.cwd,
        stop=env.stop,  # set when stdout goes away (output.py)
        local_checks=lambda durations, names: check_data(
            workspace, env, warn=stream.warn, durations=durations, names=names
        ),
    )
    if run.waited is None:
        return listener.code
    paths = run.waited.previews.paths_by_name()
    stream.statuses(run.waited.statuses, workspace.config.voices, start=False, previews=paths)
    problems = report_problems(run.waited)
    stream.problems(problems)
    return int(ExitStatus.ERROR if problems else ExitStatus.OK)
