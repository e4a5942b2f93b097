"""reconciler version: the same answer as `reconciler --version`, for those who type a verb."""

from __future__ import annotations

import argparse

from reconciler import __version__
from reconciler.environment import Environment
from reconciler.views.base import View


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "version", help="print the version", description="Print reconciler's version."
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, env: Environment, view: View) -> int:
    env.out(f"reconciler {__version__}")
    return 0
