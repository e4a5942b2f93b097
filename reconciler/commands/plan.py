"""reconciler plan: what apply would change, for people, pull requests and machines."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING

from reconciler.commands._arguments import file_name, seconds
from reconciler.commands._common import (
    add_json,
    add_path,
    add_plan_options,
    add_pretty,
    boolean,
    check_data,
    load_workspace,
)
from reconciler.defaults import ASSESS_TIMEOUT_SECONDS, PLAN_FORMATS
from reconciler.environment import Environment
from reconciler.errors import ExitStatus, UsageError

if TYPE_CHECKING:  # imported where used: `reconciler --help` must stay cheap
    from reconciler.views.plan import PlanView


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:

    parser = subparsers.add_parser(
        "plan",
        help="show what apply would change",
        description="Compare the configuration with the state and MetaStudio; change nothing.",
    )
    add_path(parser)
    parser.add_argument(
        "--out", type=file_name, metavar="FILE", help="save the plan for `reconciler apply FILE`"
    )
    parser.add_argument("--format", choices=PLAN_FORMATS, default="text")
    add_pretty(parser)
    parser.add_argument(
        "--detailed-exitcode",
        action="store_true",
        help="exit 0 when there are no changes, 2 when there are, 1 on error",
    )
    parser.add_argument(
        "--refresh",
        type=boolean,
        default=True,
        metavar="true|false",
        help="read the jobs' remote state (false: config and state file only, no credentials)",
    )
    parser.add_argument(
        "--assess",
        action="store_true",
        help="also ask MetaStudio to assess the data of every voice the plan would submit "
        "for training (free short jobs, once per data digest; see `reconciler assess`)",
    )
    parser.add_argument(
        "--assess-timeout",
        type=seconds(positive=True),
        default=ASSESS_TIMEOUT_SECONDS,
        metavar="SECONDS",
        help=f"with --assess: how long to wait for each short job (default "
        f"{ASSESS_TIMEOUT_SECONDS:g})",
    )
    add_plan_options(parser)
    add_json(parser)
    parser.set_defaults(handler=run, view=view)


def view(args: argparse.Namespace, env: Environment) -> PlanView:
    from reconciler.views.plan import plan_view

    return plan_view(env, json=args.json, fmt=args.format, color=env.color, pretty=args.pretty)


def run(args: argparse.Namespace, env: Environment, view: PlanView) -> int:
    from reconciler.commands._common import findings_of, open_head
    from reconciler.config.diagnostics import Diagnostic
    from reconciler.operations.head_start import HeadStart
    from reconciler.operations.plan import PlanRequest, plan_under_lock
    from reconciler.operations.planfile import save_plan
    from reconciler.state import rfc3339

    if args.assess and not args.refresh:
        raise UsageError("--assess asks MetaStudio, which --refresh=false rules out")
    # The refresh's lock, state and listing begin while the voices load (a cold 100,000 is
    # about as long as the rate limiter makes the listing).
    head = open_head(args.path, env) if args.refresh else None
    whole = not (args.target or args.exclude)
    with HeadStart(head, whole=whole, operation="plan") as started:
        workspace = load_workspace(args.path, env, checks=False, head=head)
        warnings: list[Diagnostic] = []
        plan = plan_under_lock(
            workspace,
            PlanRequest(
                targets=tuple(args.target),
                excludes=tuple(args.exclude),
                replace=tuple(args.replace),
                destroy=args.destroy,
            ),
            refresh=args.refresh,
            lock_timeout=args.lock_timeout,
            operation="plan",
            created_at=rfc3339(env.clock()),
            local_checks=lambda durations, names: warnings.extend(
                check_data(workspace, env, warn=view.warn, durations=durations, names=names)
            ),
            started=started,
        ).plan
    # Reviewers read the plan, not stderr: every rendering (and the saved file) carries them.
    plan = dataclasses.replace(plan, findings=findings_of(warnings, env.cwd))
    if args.assess:
        from reconciler.operations.assess_plan import assess_plan

        plan = assess_plan(workspace, plan, timeout=args.assess_timeout)
    view.show(plan)
    if args.out:
        out = Path(args.out)
        save_plan(plan, out if out.is_absolute() else env.cwd / out, config=env.cwd / args.path)
        view.saved(args.out)
    if args.detailed_exitcode and plan.has_changes:
        return int(ExitStatus.CHANGES)
    return int(ExitStatus.OK)
