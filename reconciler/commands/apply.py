"""reconciler apply: create, upload and submit what the plan says, recording every job ID."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from reconciler.commands._arguments import MAX_POLL_INTERVAL, parallelism, renamed, seconds
from reconciler.commands._common import add_json, add_plan_options
from reconciler.environment import Environment
from reconciler.errors import UsageError

if TYPE_CHECKING:  # imported where used: `reconciler --help` must stay cheap
    from reconciler.views.apply import ApplyView


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:

    parser = subparsers.add_parser(
        "apply",
        help="create, upload and submit training jobs",
        description="Plan and apply (asking first), or apply exactly a saved plan file.",
    )
    parser.add_argument(
        "path",
        nargs="?",
        default=".",
        help="config file or directory, or a plan file saved by `reconciler plan --out`",
    )
    parser.add_argument(
        "--config",
        default=None,
        help="with a plan file: the config (default: the one the plan was made from, which "
        "the file records relative to itself; . for plans made before it did)",
    )
    parser.add_argument("--auto-approve", action="store_true", help="do not ask for 'yes'")
    parser.add_argument(
        "--parallelism",
        type=parallelism,
        default=4,
        metavar="N",
        help="voices worked on at once (default 4)",
    )
    parser.add_argument(
        "--wait",
        action="store_true",
        help="afterwards, wait until every applied voice is trained (or needs you), then "
        "download the previews; exit 1 unless all succeeded",
    )
    parser.add_argument(
        "--timeout",
        type=seconds(positive=True),
        default=None,
        metavar="SECONDS",
        help="with --wait: give up waiting after this long (training goes on)",
    )
    # The old spelling, before every wait took --timeout: still accepted, with a warning.
    parser.add_argument(
        "--wait-timeout",
        dest="timeout",
        type=seconds(positive=True),
        action=renamed("--timeout"),
        help=argparse.SUPPRESS,
    )
    parser.add_argument(
        "--poll-interval",
        type=seconds(positive=True, maximum=MAX_POLL_INTERVAL),
        default=5.0,
        metavar="SECONDS",
        help="with --wait: first interval between checks, growing to a minute (default 5)",
    )
    add_plan_options(parser)
    add_json(parser)
    parser.set_defaults(handler=run, view=view)


def view(args: argparse.Namespace, env: Environment) -> ApplyView:
    from reconciler.views.apply import apply_view

    return apply_view(
        env,
        "apply",
        json=args.json,
        auto_approve=args.auto_approve,
        color=env.color,
        wait=args.wait,
    )


def run(args: argparse.Namespace, env: Environment, view: ApplyView) -> int:
    from reconciler.commands._apply_flow import apply_flow, load_saved
    from reconciler.operations.apply import ApplyRequest
    from reconciler.operations.plan import PlanRequest
    from reconciler.operations.planfile import saved_config
    from reconciler.operations.status import WaitRequest
    from reconciler.state import rfc3339

    if args.timeout is not None and not args.wait:
        raise UsageError("--timeout only applies with --wait")
    planfile = env.cwd / args.path
    saved = load_saved(planfile)
    config = args.path
    if saved is not None:
        _refuse_selection_with_saved_plan(args)
        # An explicit --config wins; a file older than plan format 5 recorded none.
        config = args.config or str(saved_config(saved, planfile) or ".")
    request = ApplyRequest(
        operation="apply",
        created_at=rfc3339(env.clock()),
        plan=PlanRequest(
            targets=tuple(args.target),
            excludes=tuple(args.exclude),
            replace=tuple(args.replace),
            destroy=args.destroy,
        ),
        saved=saved,
        parallelism=args.parallelism,
        lock_timeout=args.lock_timeout,
    )
    wait = WaitRequest(timeout=args.timeout, poll=args.poll_interval) if args.wait else None
    return apply_flow(config, request, env, view, wait)


def _refuse_selection_with_saved_plan(args: argparse.Namespace) -> None:
    """A saved plan carries the selection it was made with: a flag here would be ignored, and
    a reviewer's `--exclude` silently dropped could apply what someone meant to hold back."""
    given = [
        flag
        for flag, value in (
            ("--target", args.target),
            ("--exclude", args.exclude),
            ("--replace", args.replace),
            ("--destroy", args.destroy),
        )
        if value
    ]
    if given:
        raise UsageError(
            f"{', '.join(given)} cannot be used when applying a saved plan: it applies the "
            f"selection it was made with (make the plan again with {given[0]})"
        )
