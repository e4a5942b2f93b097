"""reconciler import: adopt a job that already exists in MetaStudio as a voice of the config."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from reconciler.commands._arguments import file_name, job_id
from reconciler.commands._common import add_lock_timeout, add_path, load_workspace, open_workspace
from reconciler.environment import Environment
from reconciler.errors import ExitStatus, UsageError

if TYPE_CHECKING:  # the view cli.py tells errors with
    from reconciler.views.base import View

DEFAULT_OUT = "imported.yaml"

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
            "that plan and apply manage it instead of creating a second one. With --all: "
            "every job no state record holds, written as voices to a new YAML file and "
            "recorded in the state."
        ),
        usage="%(prog)s ADDR JOB_ID [path] | %(prog)s --all [--out FILE] [path]",
    )
    parser.add_argument(
        "address", nargs="?", metavar="ADDR", help="the voice to adopt it as: voice.NAME"
    )
    parser.add_argument(
        "job_id", nargs="?", type=job_id, metavar="JOB_ID", help="the MetaStudio job ID"
    )
    add_path(parser)
    parser.add_argument(
        "--all",
        action="store_true",
        help="adopt every job of the tenant that no state record holds",
    )
    parser.add_argument(
        "--out",
        type=file_name,
        metavar="FILE",
        help=f"with --all: the new YAML file to write, never overwritten (default: "
        f"{DEFAULT_OUT} in the configuration's directory)",
    )
    add_lock_timeout(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, env: Environment, view: View) -> int:
    from reconciler.operations.importing import import_job
    from reconciler.state import rfc3339

    if args.all:
        return run_all(args, env)
    if args.out is not None:
        raise UsageError("--out goes with --all", hint="reconciler import --all --out FILE")
    if args.address is None or args.job_id is None:
        raise UsageError(
            "import needs the voice and the job: reconciler import voice.NAME JOB_ID",
            hint="or adopt every unrecorded job with `reconciler import --all`",
        )
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


def run_all(args: argparse.Namespace, env: Environment) -> int:
    from reconciler.config import display_path
    from reconciler.operations.import_all import import_all
    from reconciler.state import rfc3339

    # With --all the one positional given is the configuration, not an address.
    given = [a for a in (args.address, args.job_id) if a is not None]
    if len(given) > 1 or (given and args.path != "."):
        raise UsageError(
            "import --all takes no address or job ID", hint="reconciler import --all [path]"
        )
    path = env.cwd / (given[0] if given else args.path)
    workspace = open_workspace(str(path), env)  # the data is not read: nothing is uploaded
    out = env.cwd / args.out if args.out else workspace.config.root_dir / DEFAULT_OUT
    result = import_all(
        workspace, path, out, lock_timeout=args.lock_timeout, now=rfc3339(env.clock())
    )
    shown = display_path(out, env.cwd)
    for skipped in result.skipped:
        job = skipped.job
        env.out(f"Skipped job {job.job_id} {job.voice_name!r} ({job.state}): {skipped.reason}.")
    if not result.imported:
        env.out("Nothing to import: every job that can be adopted is in the state already.")
        return int(ExitStatus.OK)
    for record in result.imported:
        env.out(f"Imported {record.address}: job {record.job_id} ({record.remote_state}).")
    env.out(
        f"Wrote {shown} ({len(result.imported)} voices) and recorded them in the state. "
        "Review it; before the next plan, put each voice's training data where its `data` "
        f"placeholder says ({', '.join(result.placeholders)}), or point `data` at it."
    )
    if not result.in_config:
        env.out(
            f"{shown} is not read with the configuration: move its voices into it before the "
            "next plan."
        )
    env.out(ASSUMPTION)
    return int(ExitStatus.OK)
