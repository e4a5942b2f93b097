"""The apply flow shared by `apply` and `destroy`: plan or load, confirm, execute, summarise."""

from __future__ import annotations

import argparse
from pathlib import Path

from reconciler.apply.executor import ApplyResult
from reconciler.apply.session import apply_plan, check_saved_plan, state_for_saved_plan
from reconciler.commands._common import check_data, confirm, load_workspace, request_from
from reconciler.commands._progress import TerminalReporter
from reconciler.commands._status_view import wait_and_report
from reconciler.environment import Environment
from reconciler.errors import ExitStatus
from reconciler.operations.desired import config_digest, desired_voices
from reconciler.operations.plan import build_plan
from reconciler.operations.planfile import load_plan
from reconciler.plan.model import Action
from reconciler.plan.render_text import render_text
from reconciler.state import rfc3339


def _is_plan_file(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() not in (".yaml", ".yml")


def run_apply(args: argparse.Namespace, env: Environment) -> int:
    given = env.cwd / args.path
    saved = load_plan(given) if _is_plan_file(given) else None
    # Planning here overlaps the data checks with the refresh; a saved plan checks first.
    workspace = load_workspace(args.config if saved else args.path, env, checks=saved is not None)
    reporter = TerminalReporter(env)
    with workspace.client() as client:
        with workspace.backend.lock(args.operation, args.lock_timeout):
            state = workspace.backend.read()
            if saved is not None:
                state = state_for_saved_plan(saved, state)
                desired = desired_voices(workspace.config, workspace.cache, state.lineage)
                check_saved_plan(saved, state, config_digest(workspace.config, desired))
                plan = saved
            else:
                prepared = build_plan(
                    workspace,
                    state,
                    client,
                    request_from(args),
                    rfc3339(env.clock()),
                    local_checks=lambda: check_data(workspace, env),
                )
                plan, desired = prepared.plan, prepared.desired
                env.out(render_text(plan, color=env.color and not args.no_color))
                if plan.has_changes:
                    env.out()
                    verb = "destroy these voices" if plan.destroy else "perform these actions"
                    confirm(
                        env,
                        f"Do you want to {verb}?",
                        auto_approve=args.auto_approve,
                        what=args.operation,
                    )
            try:
                result = apply_plan(
                    workspace,
                    client,
                    state,
                    plan,
                    desired,
                    reporter=reporter,
                    parallelism=args.parallelism,
                )
            finally:
                reporter.close()
        code = _summarise(result, env, args, destroy=plan.destroy)
        if code != ExitStatus.OK or not getattr(args, "wait", False):
            return code
        # The lock is released: training takes hours, and other runs may plan meanwhile.
        names = [c.name for c in plan.changes if c.action is not Action.DELETE]
        env.out()
        return wait_and_report(
            workspace, client, names, env, args.wait_timeout, poll=args.poll_interval
        )


def _summarise(
    result: ApplyResult, env: Environment, args: argparse.Namespace, *, destroy: bool = False
) -> int:
    changed = [o for o in result.outcomes if o.action is not Action.NOOP]
    if not changed and not result.failed:
        env.out(f"No changes. Nothing was {'destroyed' if destroy else 'applied'}.")
        return int(ExitStatus.OK)
    # A destroy plan only ever destroys: the other counts would all be zero.
    words = ("destroyed",) if destroy else ("created", "updated", "replaced", "destroyed")
    counts = ", ".join(f"{result.count(word)} {word}" for word in words)
    title = "Destroy" if destroy else "Apply"
    if result.failed:
        env.out(f"\n{title} finished with errors: {counts}, {len(result.failed)} failed.")
        for outcome in result.failed:
            env.err(f"  {outcome.address} ({outcome.action.value}): {outcome.message}")
    else:
        env.out(f"\n{title} complete: {counts}.")
    if result.interrupted:
        env.err(
            "Interrupted: every finished step is recorded in the state; run "
            f"{args.operation} again to continue where it stopped."
        )
        return int(ExitStatus.INTERRUPTED)
    return int(ExitStatus.ERROR if result.failed else ExitStatus.OK)
