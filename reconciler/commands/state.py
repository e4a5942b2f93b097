"""reconciler state list|show|rm|mv: read the state, or forget or move voices without touching
their jobs."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING

from reconciler.addresses import PREFIX as ADDRESS_PREFIX
from reconciler.addresses import resolve_address
from reconciler.commands._common import add_lock_timeout, add_path, lock_waits
from reconciler.environment import Environment
from reconciler.errors import ExitStatus
from reconciler.views.state_records import list_rows, show_lines

if TYPE_CHECKING:  # imported where used: `reconciler --help` must stay cheap
    from reconciler.state import StateBackend
    from reconciler.views.base import View


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "state",
        help="list, show or forget the voices the state records",
        description="Inspect the state file, or remove voices from it (their jobs stay).",
    )
    # Sub-parsers are built by the parent's class, so their usage errors reach cli.py too.
    commands = parser.add_subparsers(dest="state_command", metavar="SUBCOMMAND")
    commands.required = True

    listing = commands.add_parser(
        "list",
        help="one line per recorded voice",
        description="List the voices the state records: address, job, phase, remote state, "
        "asset. Reads the state only (no MetaStudio credentials, no lock; a remote backend "
        "needs its store's).",
    )
    add_path(listing)
    listing.set_defaults(handler=run_list)

    show = commands.add_parser(
        "show",
        help="every recorded field of one voice",
        description="Show what the state records for one voice. Reads the state file only.",
    )
    show.add_argument("address", metavar="ADDR", help="voice.NAME")
    add_path(show)
    show.add_argument("--format", choices=("text", "json"), default="text")
    show.set_defaults(handler=run_show)

    remove = commands.add_parser(
        "rm",
        usage="%(prog)s [-h] [--lock-timeout SECONDS] ADDR [ADDR ...] [PATH]",
        help="forget voices (their MetaStudio jobs are kept)",
        description=(
            "Remove voices from the state without deleting their jobs, e.g. to hand a job to "
            "another configuration or to import a different one. All addresses must be in "
            "the state, or nothing is removed."
        ),
    )
    remove.add_argument(
        "addresses",
        metavar="ADDR",
        nargs="+",
        help="voice.NAME (repeatable), optionally followed by the config file or directory (.)",
    )
    add_lock_timeout(remove)
    remove.set_defaults(handler=run_rm)

    move = commands.add_parser(
        "mv",
        help="give a recorded voice another address (its job is kept)",
        description=(
            "Move a voice's record to another address, e.g. after renaming its key in the "
            "YAML: no MetaStudio call, no new training. The new address must be free. To "
            "have the rename reviewed in a pull request instead, add a `moved` entry to the "
            "YAML."
        ),
    )
    move.add_argument("source", metavar="SOURCE", help="voice.OLD, as the state has it")
    move.add_argument("target", metavar="DESTINATION", help="voice.NEW")
    add_path(move)
    add_lock_timeout(move)
    move.set_defaults(handler=run_mv)
    _register_transfer(commands)


def _register_transfer(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    pull = commands.add_parser(
        "pull",
        help="print the state's JSON",
        description="Print the stored state (any backend) as JSON on stdout. No lock.",
    )
    add_path(pull)
    pull.set_defaults(handler=run_pull)

    push = commands.add_parser(
        "push",
        help="replace the stored state with a file",
        description="Store FILE as the state (with the journal beside it replayed, as the "
        "local backend reads it). Refused when FILE is of another lineage or older than the "
        "stored state, unless --force.",
    )
    push.add_argument("file", metavar="FILE", help="a state JSON file (e.g. from state pull)")
    add_path(push)
    push.add_argument("--force", action="store_true", help="skip the lineage and serial checks")
    add_lock_timeout(push)
    push.set_defaults(handler=run_push)

    migrate = commands.add_parser(
        "migrate",
        help="copy a local state file into the configured backend",
        description="Copy the local state file --from PATH, with its journal, into the "
        "backend the config names (s3 or postgres), holding the locks of both. Running it "
        "again is a no-op; refused when the backend holds another lineage, or the same one "
        "with other contents (it changed since the earlier migrate).",
    )
    migrate.add_argument("--from", dest="source", metavar="PATH", required=True)
    add_path(migrate)
    add_lock_timeout(migrate)
    migrate.set_defaults(handler=run_migrate)


def _backend(path: str, env: Environment) -> StateBackend:
    from reconciler.config import load_config
    from reconciler.operations.workspace import state_backend

    return state_backend(load_config(env.cwd / path, cwd=env.cwd), clock=env.clock)


def run_list(args: argparse.Namespace, env: Environment, view: View) -> int:
    backend = _backend(args.path, env)
    state = backend.read()
    if not state.voices:
        env.out(f"The state has no voices ({backend.describe()}).")
        return int(ExitStatus.OK)
    for line in list_rows([state.voices[name] for name in sorted(state.voices)]):
        env.out(line)
    return int(ExitStatus.OK)


def run_show(args: argparse.Namespace, env: Environment, view: View) -> int:
    from reconciler.state.privacy import redact_personal

    state = _backend(args.path, env).read()
    record = state.voices[resolve_address(args.address, state.voices, "the state")]
    if args.format == "json":
        data = redact_personal(record.to_dict())
        env.out(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False))
    else:
        env.out("\n".join(show_lines(record)))
    return int(ExitStatus.OK)


def run_pull(args: argparse.Namespace, env: Environment, view: View) -> int:
    from reconciler.operations.state_transfer import pull_state

    env.stdout.write(pull_state(_backend(args.path, env)).decode("utf-8"))
    env.stdout.flush()
    return int(ExitStatus.OK)


def run_push(args: argparse.Namespace, env: Environment, view: View) -> int:
    from reconciler.operations.state_transfer import push_state, read_local_state

    backend = _backend(args.path, env)
    pushed = read_local_state(env.cwd / args.file)
    stored = push_state(
        backend,
        pushed,
        force=args.force,
        lock_timeout=args.lock_timeout,
        on_wait=lock_waits(env),
    )
    env.out(f"Pushed {args.file} to {backend.describe()} (serial {stored.serial}).")
    return int(ExitStatus.OK)


def run_migrate(args: argparse.Namespace, env: Environment, view: View) -> int:
    from reconciler.operations.state_transfer import migrate_state

    backend = _backend(args.path, env)
    migrated = migrate_state(
        backend, env.cwd / args.source, lock_timeout=args.lock_timeout, on_wait=lock_waits(env)
    )
    stored = migrated.state
    done = "was already migrated to" if migrated.already else "migrated to"
    # Said only once the backend was read back holding everything the file and its journal
    # held (migrate_state checks): archiving the file then loses nothing.
    env.out(
        f"{args.source} {done} {backend.describe()} (serial {stored.serial}, "
        f"{len(stored.voices)} voices); the local file and its journal are no longer used "
        "and can be archived."
    )
    return int(ExitStatus.OK)


def _split_path(words: list[str], env: Environment) -> tuple[list[str], str]:
    """argparse cannot tell `ADDR... [PATH]` apart by position: a last word that is no address
    but an existing file or directory is the PATH."""
    last = words[-1]
    if len(words) > 1 and not last.startswith(ADDRESS_PREFIX) and (env.cwd / last).exists():
        return words[:-1], last
    return words, "."


def run_rm(args: argparse.Namespace, env: Environment, view: View) -> int:
    from reconciler.operations.forget import forget_voices

    addresses, path = _split_path(args.addresses, env)
    removed = forget_voices(
        _backend(path, env), addresses, lock_timeout=args.lock_timeout, on_wait=lock_waits(env)
    )
    for record in removed:  # never a record without a job ID: forget_voices refuses those
        env.out(
            f"Removed {record.address} from the state; job {record.job_id} still exists in "
            f"MetaStudio (adopt it again with `reconciler import {record.address} "
            f"{record.job_id}`)."
        )
    return int(ExitStatus.OK)


def run_mv(args: argparse.Namespace, env: Environment, view: View) -> int:
    from reconciler.operations.move import move_voice

    moved = move_voice(
        _backend(args.path, env),
        args.source,
        args.target,
        lock_timeout=args.lock_timeout,
        on_wait=lock_waits(env),
    )
    job = f"job {moved.job_id}" if moved.job_id else "its interrupted create"
    env.out(f"Moved {args.source} to {moved.address} in the state ({job} kept).")
    return int(ExitStatus.OK)
