"""reconciler status: where each voice's training stands, optionally waiting for it to finish."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from reconciler.commands._arguments import MAX_POLL_INTERVAL, seconds
from reconciler.commands._common import (
    add_json,
    add_lock_timeout,
    add_path,
    add_selection,
    open_workspace,
)
from reconciler.defaults import STATUS_POLL_SECONDS
from reconciler.environment import Environment
from reconciler.errors import UsageError

if TYPE_CHECKING:  # imported where used: `reconciler --help` must stay cheap
    from reconciler.views.status import StatusView


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:

    parser = subparsers.add_parser(
        "status",
        help="show the training state of each voice",
        description="Show each voice's job, training state and asset id as MetaStudio reports "
        "them; with --wait, follow training until every voice has finished.",
    )
    add_path(parser)
    parser.add_argument(
        "--wait",
        action="store_true",
        help="poll until every voice has succeeded, failed or needs you; make the previews "
        "asked for in the configuration; exit 1 unless every voice SUCCEED",
    )
    parser.add_argument(
        "--timeout",
        type=seconds(positive=True),
        metavar="SECONDS",
        help="with --wait: give up after this long",
    )
    parser.add_argument(
        "--poll-interval",
        type=seconds(positive=True, maximum=MAX_POLL_INTERVAL),
        default=STATUS_POLL_SECONDS,
        metavar="SECONDS",
        help=f"with --wait: first interval between checks, growing to a minute "
        f"(default {STATUS_POLL_SECONDS:g})",
    )
    parser.add_argument(
        "--no-preview", action="store_true", help="with --wait: do not make previews"
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    add_selection(parser)
    add_lock_timeout(parser)
    add_json(parser)
    parser.set_defaults(handler=run, view=view)


def view(args: argparse.Namespace, env: Environment) -> StatusView:
    from reconciler.views.status import status_view

    return status_view(env, json=args.json, fmt=args.format)


def run(args: argparse.Namespace, env: Environment, view: StatusView) -> int:
    from reconciler.operations.status import WaitRequest, observe, select_names, wait_for

    if args.timeout is not None and not args.wait:
        raise UsageError("--timeout only applies with --wait")
    workspace = open_workspace(args.path, env, timeout=args.timeout)
    names = select_names(workspace, workspace.backend.read(), args.target)
    configured = workspace.config.voices
    with workspace.client() as client:
        if not args.wait:
            report = observe(workspace, client, names, cwd=env.cwd, lock_timeout=args.lock_timeout)
            return view.observed(report, configured)
        request = WaitRequest(
            timeout=args.timeout,
            poll=args.poll_interval,
            previews=not args.no_preview,
            lock_timeout=args.lock_timeout,
        )
        try:
            report = wait_for(
                workspace,
                client,
                names,
                request,
                cwd=env.cwd,
                on_update=lambda statuses: view.waiting(statuses, configured),
                say=view.say,
            )
        finally:
            view.close()
        return view.waited(report, configured)
