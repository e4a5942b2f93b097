"""reconciler show PLANFILE: a saved plan, read back without planning again.

It reads the file only: no configuration, no state, no lock, no MetaStudio call. The file
is checked as `apply FILE` checks it (kind, format version, every field, content digest),
so a damaged or edited file is one error line here too.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from reconciler.commands._arguments import file_name
from reconciler.commands._common import add_pretty
from reconciler.defaults import PLAN_FORMATS
from reconciler.environment import Environment
from reconciler.errors import ExitStatus
from reconciler.views.base import TextView


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "show",
        help="show a plan saved by `reconciler plan --out FILE`",
        description="Render a saved plan file as text, markdown or plan JSON; reads nothing "
        "else (no configuration, state, lock or MetaStudio call).",
    )
    parser.add_argument("planfile", type=file_name, metavar="PLANFILE", help="the saved plan")
    parser.add_argument("--format", choices=PLAN_FORMATS, default="text")
    add_pretty(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, env: Environment, view: TextView) -> int:
    from reconciler.operations.planfile import load_plan
    from reconciler.views.plan_formats import render
    from reconciler.views.provenance import Provenance

    path = Path(args.planfile)
    plan = load_plan(path if path.is_absolute() else env.cwd / path)
    color = env.color
    provenance = Provenance.from_environment(env.environ)
    env.out(render(plan, args.format, color=color, pretty=args.pretty, provenance=provenance))
    return int(ExitStatus.OK)
