"""reconciler force-unlock: remove a state lock whose holder died or hangs."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reconciler.environment import Environment
from reconciler.errors import UsageError

if TYPE_CHECKING:
    from reconciler.state import LockInfo
    from reconciler.views.base import View


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "force-unlock",
        help="remove a stuck state lock",
        description=(
            "Remove the state lock with the given ID. Only do this when the run holding it is "
            "dead or hung: two runs changing the same state can create duplicate jobs."
        ),
    )
    parser.add_argument("lock_id", metavar="LOCK_ID", help="the lock ID shown in the lock error")
    parser.add_argument(
        "path", metavar="PATH", nargs="?", default=".", help="config file or directory (default: .)"
    )
    parser.add_argument("--force", action="store_true", help="do not ask for confirmation")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, env: Environment, view: View) -> int:
    from reconciler.config import load_config
    from reconciler.operations.workspace import state_backend

    if not args.force and not env.stdin_is_tty:
        raise UsageError(
            "force-unlock needs confirmation, but stdin is not a terminal",
            hint="pass --force to remove the lock without asking",
        )
    config = load_config(env.cwd / Path(args.path), cwd=env.cwd)
    backend = state_backend(config, clock=env.clock)
    confirm = None if args.force else (lambda holder: _confirm(env, backend.describe(), holder))
    removed = backend.force_unlock(args.lock_id, confirm)
    env.out(f"Removed the lock on {backend.describe()}: {removed.describe()}.")
    return 0


def _confirm(env: Environment, where: str, holder: LockInfo) -> bool:
    env.err(f"State {where} is locked: {holder.describe()}.")
    env.err("If that run is still alive, removing its lock lets two runs change the state at once.")
    env.stderr.write("Remove the lock? Only 'yes' will be accepted: ")
    env.stderr.flush()
    return env.stdin.readline().strip() == "yes"
