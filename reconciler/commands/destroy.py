"""reconciler destroy: delete every recorded job (or the targeted ones), asking first."""

from __future__ import annotations

import argparse

from reconciler.commands._apply_flow import run_apply
from reconciler.commands._arguments import parallelism
from reconciler.commands._common import add_lock_timeout, add_path, add_selection
from reconciler.environment import Environment
from reconciler.errors import UsageError


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
    parser.add_argument("--no-color", action="store_true", help="plain text even on a terminal")
    add_lock_timeout(parser)
    # What run_apply reads: a refreshed destroy plan, no forced replacements.
    parser.set_defaults(handler=run, operation="destroy", destroy=True, replace=[], refresh=True)


def run(args: argparse.Namespace, env: Environment) -> int:
    given = env.cwd / args.path
    if given.is_file() and given.suffix.lower() not in (".yaml", ".yml"):
        # run_apply would take it for a saved plan, which may create as well as destroy.
        raise UsageError(
            f"{args.path} is not a configuration file",
            hint=f"to apply a saved plan, use `reconciler apply {args.path}`",
        )
    return run_apply(args, env)
