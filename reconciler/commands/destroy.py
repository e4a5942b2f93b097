"""reconciler destroy: delete every recorded job (or the targeted ones), asking first."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from reconciler.commands._arguments import parallelism
from reconciler.commands._common import (
    add_exclusion,
    add_json,
    add_lock_timeout,
    add_path,
    add_selection,
)
from reconciler.environment import Environment
from reconciler.errors import UsageError

if TYPE_CHECKING:  # imported where used: `reconciler --help` must stay cheap
    from reconciler.views.apply import ApplyView


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:

    parser = subparsers.add_parser(
        "destroy",
        help="delete the training jobs the state records",
        description=(
            "Plan the deletion of every voice in the state (or of --target ones), ask, and "
            "delete their jobs. Voices guarded by lifecycle.prevent_destroy stop the run."
        ),
    )
    add_path(parser)
    parser.add_argument("--auto-approve", action="store_true", help="do not ask for 'yes'")
    parser.add_argument(
        "--parallelism",
        type=parallelism,
        default=4,
        metavar="N",
        help="voices worked on at once (default 4)",
    )
    add_selection(parser)
    add_exclusion(parser)
    add_lock_timeout(parser)
    add_json(parser)
    parser.set_defaults(handler=run, view=view)


def view(args: argparse.Namespace, env: Environment) -> ApplyView:
    from reconciler.views.apply import apply_view

    return apply_view(
        env, "destroy", json=args.json, auto_approve=args.auto_approve, color=env.color
    )


def run(args: argparse.Namespace, env: Environment, view: ApplyView) -> int:
    from reconciler.commands._apply_flow import apply_flow, is_plan_file
    from reconciler.operations.apply import ApplyRequest
    from reconciler.operations.plan import PlanRequest
    from reconciler.state import rfc3339

    if is_plan_file(env.cwd / args.path):
        # run_apply would take it for a saved plan, which may create as well as destroy.
        raise UsageError(
            f"{args.path} is not a configuration file",
            hint=f"to apply a saved plan, use `reconciler apply {args.path}`",
        )
    request = ApplyRequest(
        operation="destroy",
        created_at=rfc3339(env.clock()),
        plan=PlanRequest(targets=tuple(args.target), excludes=tuple(args.exclude), destroy=True),
        parallelism=args.parallelism,
        lock_timeout=args.lock_timeout,
    )
    return apply_flow(args.path, request, env, view)
