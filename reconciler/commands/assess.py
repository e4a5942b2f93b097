"""reconciler assess: MetaStudio's own verdict on voices' data before training is paid for."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from reconciler.commands._arguments import address, seconds
from reconciler.defaults import ASSESS_TIMEOUT_SECONDS
from reconciler.environment import Environment
from reconciler.errors import ReconcilerError

if TYPE_CHECKING:  # imported where used: `reconciler --help` must stay cheap
    from reconciler.views.assess import AssessView


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "assess",
        help="ask MetaStudio to assess a sample of voices' data (free; trains nothing)",
        description="Cut a sample within the tenant's short-assessment range from each "
        "voice's recordings, run it as a VOICE_ASSESS short job, and show the service's "
        "figures beside the preflight's for the same recordings. A verdict is kept per data "
        "digest under .reconciler/assess/: the same data is not assessed twice.",
    )
    parser.add_argument(
        "words",
        nargs="+",
        type=address,
        metavar="ADDR... [PATH]",
        help="voices, e.g. voice.gentle; then the config file or directory (default .)",
    )
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--timeout",
        type=seconds(positive=True),
        default=ASSESS_TIMEOUT_SECONDS,
        metavar="SECONDS",
        help=f"how long to wait for each short job (default {ASSESS_TIMEOUT_SECONDS:g})",
    )
    parser.add_argument(
        "--again", action="store_true", help="run a new short job even if this data has a verdict"
    )
    parser.set_defaults(handler=run, view=view)


def view(args: argparse.Namespace, env: Environment) -> AssessView:
    from reconciler.views.assess import assess_view

    return assess_view(env, args.format)


def split_words(words: list[str], cwd: Path) -> tuple[tuple[str, ...], str]:
    """The addresses, and the config path when the last word is one: the README promises the
    config path last, after any number of addresses (a file named voice.yaml is a path)."""
    last = words[-1]
    if len(words) > 1 and (not last.startswith("voice.") or (cwd / last).exists()):
        return tuple(words[:-1]), last
    return tuple(words), "."


def run(args: argparse.Namespace, env: Environment, view: AssessView) -> int:
    from reconciler.commands._common import open_workspace
    from reconciler.operations.assess import AssessRequest, assess_voices, failures

    addresses, path = split_words(args.words, env.cwd)
    workspace = open_workspace(path, env, timeout=args.timeout)
    request = AssessRequest(addresses, timeout=args.timeout, again=args.again)
    assessments = assess_voices(workspace, request)
    view.show(assessments)
    failed = failures(assessments)
    if failed:
        raise ReconcilerError("; ".join(failed))
    return 0
