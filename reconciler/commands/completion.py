"""reconciler completion bash|zsh|fish: a completion script generated from the parser itself
by shtab, so it never falls behind a new verb or flag."""

from __future__ import annotations

import argparse

from reconciler.environment import Environment
from reconciler.views.base import View

SHELLS = ("bash", "zsh", "fish")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "completion",
        help="print a shell completion script (bash, zsh or fish)",
        description="Print the completion script of a shell, generated from reconciler's "
        "own command line. bash: `reconciler completion bash > "
        "~/.local/share/bash-completion/completions/reconciler`; zsh: `reconciler completion "
        "zsh > ~/.zfunc/_reconciler` (with ~/.zfunc in $fpath); fish: `reconciler completion "
        "fish > ~/.config/fish/completions/reconciler.fish`.",
    )
    parser.add_argument("shell", choices=SHELLS, help="the shell to complete in")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, env: Environment, view: View) -> int:
    import shtab

    root: argparse.ArgumentParser = args.root_parser
    script = shtab.complete(root, shell=args.shell)
    env.stdout.write(script if script.endswith("\n") else script + "\n")
    env.stdout.flush()
    return 0
