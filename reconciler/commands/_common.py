"""What several commands share: options, loading a workspace with its preflight, printing."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from reconciler.commands._arguments import address, seconds
from reconciler.data import preflight
from reconciler.environment import Environment
from reconciler.errors import ConfigError, UsageError
from reconciler.plan.pipeline import PlanRequest
from reconciler.workspace import Workspace

DEFAULT_LOCK_TIMEOUT = 0.0
# Control characters from a file or an argument, echoed in a message, would move the cursor
# or split the line on a terminal: they are shown escaped. Newlines separate problems.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def printable(message: str) -> str:
    return _CONTROL.sub(lambda match: ascii(match.group())[1:-1], message)


def boolean(text: str) -> bool:
    lowered = text.lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


def add_path(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", nargs="?", default=".", help="config file or directory (.)")


def add_lock_timeout(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lock-timeout",
        type=seconds(),
        default=DEFAULT_LOCK_TIMEOUT,
        metavar="SECONDS",
        help="how long to wait for the state lock held by another run (default: 0, fail at once)",
    )


def add_selection(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--target",
        action="append",
        type=address,
        default=[],
        metavar="ADDR",
        help="limit to these voices (voice.NAME, globs allowed; repeatable)",
    )


def load_workspace(
    path: str, env: Environment, *, allow_outside: bool = False, checks: bool = True
) -> Workspace:
    """Load and validate; with ``checks=False`` the caller runs :func:`check_data` later
    (plan and apply overlap it with the remote refresh)."""
    target = Path(path)
    workspace = Workspace.load(
        target if target.is_absolute() else env.cwd / target, env.environ, env.home
    )
    if checks:
        check_data(workspace, env, allow_outside=allow_outside)
    if workspace.emulator_dir is not None:
        env.err(f"Using the local MetaStudio emulator (data in {workspace.emulator_dir}).")
    return workspace


def check_data(workspace: Workspace, env: Environment, *, allow_outside: bool = False) -> None:
    """The training-data preflight: warnings go to stderr, errors stop here, every line shown."""
    diagnostics = preflight(workspace.config, allow_outside=allow_outside)
    errors = [d for d in diagnostics if d.is_error]
    for diagnostic in diagnostics:
        if not diagnostic.is_error:
            env.err(printable(f"warning: {diagnostic.format(cwd=env.cwd)}"))
    if errors:
        raise ConfigError("\n".join(d.format(cwd=env.cwd) for d in errors))


def confirm(env: Environment, question: str, *, auto_approve: bool, what: str) -> None:
    """Ask for exactly 'yes'; without a terminal and without --auto-approve, refuse."""
    if auto_approve:
        return
    if not env.stdin_is_tty:
        raise UsageError(
            f"refusing to {what} without confirmation: stdin is not a terminal",
            hint="review the plan and rerun with --auto-approve, or apply a saved plan file",
        )
    env.stdout.write(f"{question}\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ")
    env.stdout.flush()
    if env.stdin.readline().strip() != "yes":
        raise UsageError(f"{what} cancelled")


def add_plan_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--refresh",
        type=boolean,
        default=True,
        metavar="true|false",
        help="read the jobs' remote state (false: config and state file only, no credentials)",
    )
    add_selection(parser)
    parser.add_argument(
        "--replace",
        action="append",
        type=address,
        default=[],
        metavar="ADDR",
        help="plan to replace this voice even if it has not changed (repeatable)",
    )
    parser.add_argument("--destroy", action="store_true", help="plan to destroy every voice")
    parser.add_argument("--no-color", action="store_true", help="plain text even on a terminal")
    add_lock_timeout(parser)


def request_from(args: argparse.Namespace) -> PlanRequest:
    return PlanRequest(
        targets=tuple(args.target),
        replace=tuple(getattr(args, "replace", ())),
        destroy=getattr(args, "destroy", False),
    )
