"""reconciler import: adopt a job that already exists in MetaStudio as a voice of the config."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from reconciler.commands._arguments import job_id
from reconciler.commands._common import add_lock_timeout, add_path, load_workspace
from reconciler.environment import Environment
from reconciler.errors import ExitStatus

if TYPE_CHECKING:  # the view cli.py tells errors with
    from reconciler.views.base import View

ASSUMPTION = (
    "Note: what was uploaded to a job cannot be read back, so the next plan assumes the job "
    "was trained on the data in your configuration. Run `reconciler plan` to see how the job "
    "differs from your configuration."
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "import",
        help="adopt an existing MetaStudio job into the state",
        description=(
            "Record an existing training job as the job of a voice in the configuration, so "
            "that plan and apply manage it instead of creating a second one."
        ),
    )
    parser.add_argument("address", metavar="ADDR", help="the voice to adopt it as: voice.NAME")
    parser.add_argument("job_id", type=job_id, metavar="JOB_ID", help="the MetaStudio job ID")
    add_path(parser)
    add_lock_timeout(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, env: Environment, view: View) -> int:
    from reconciler.operations.importing import import_job
    from reconciler.state import rfc3339

    workspace = load_workspace(args.path, env)
    record = import_job(
        workspace,
        args.address,
        args.job_id,
        lock_timeout=args.lock_timeout,
        now=rfc3339(env.clock()),
    )
    remote = record.remote_state or "state unknown"
    env.out(f"Imported {record.address}: job {record.job_id} ({remote}).")
    if record.phase == "created":
        env.out("The job is still CREATING: the next apply uploads the data and submits it.")
    env.out(ASSUMPTION)
    return int(ExitStatus.OK)
