"""argparse wiring, and the one place exceptions become exit codes."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import sys
import traceback
from collections.abc import Sequence
from typing import NoReturn

from reconciler import __version__
from reconciler.commands import command_modules
from reconciler.environment import Environment, progress_interval
from reconciler.errors import ExitStatus, ReconcilerError, UsageError
from reconciler.output import GuardedOutput, OutputLost
from reconciler.printable import printable
from reconciler.signals import Signals, Terminated, sigterm_as_interrupt
from reconciler.views.base import View, text_view

NO_COLOR_HELP = "plain text even on a terminal (as do NO_COLOR=1 and TERM=dumb)"


class _Parser(argparse.ArgumentParser):
    """Usage errors become UsageError, printed like every other error (and to env.stderr).

    A command's options may come anywhere, also between its positionals (the README promises
    that the config path is the last argument): plain argparse stops taking positionals at the
    first option after one, so every parser without subcommands parses intermixed.
    """

    _intermixing = False

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        # parse_known_intermixed_args calls back here twice: those calls parse plainly.
        if self._intermixing or self._subparsers is not None:
            return super().parse_known_args(args, namespace)
        self._intermixing = True
        try:
            return super().parse_known_intermixed_args(args, namespace)
        finally:
            self._intermixing = False

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message}", hint=f"see '{self.prog} --help'")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="reconciler",
        description="Declarative plan/apply for Huawei Cloud MetaStudio voice-model training.",
    )
    parser.add_argument("--version", action="version", version=f"reconciler {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show tracebacks and debug logging on errors"
    )
    parser.add_argument("--no-color", action="store_true", help=NO_COLOR_HELP)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for module in command_modules():
        module.register(subparsers)
    for command in _subcommand_parsers(parser):
        # Accepted after the verb too, as `plan --no-color` always was; SUPPRESS keeps a
        # verb that was not given it from resetting the top-level flag.
        command.add_argument(
            "--no-color", action="store_true", default=argparse.SUPPRESS, help=NO_COLOR_HELP
        )
    # A verb with --json sets its own: the function choosing its view from the flags.
    # `completion` writes its script from the whole parser (commands/ cannot import cli.py).
    parser.set_defaults(view=lambda args, env: text_view(env), deprecated=(), root_parser=parser)
    return parser


def _subcommand_parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """Every parser under ``parser``'s subcommands, nested ones (``state rm``) included."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):  # aliases share a parser
                found += [child, *_subcommand_parsers(child)]
    return found


def main(argv: Sequence[str] | None = None, env: Environment | None = None) -> int:
    env = env or Environment()
    output = GuardedOutput(env.stdout, env.stop)
    env = dataclasses.replace(env, stdout=output.as_text_io())
    words = sys.argv[1:] if argv is None else argv
    try:
        code = _main(words, env, output)
    except OutputLost:  # met before a command ran (a usage error written as JSON)
        code = int(ExitStatus.ERROR)
    return _output_status(code, output, env, debug="--debug" in words)


def _output_status(code: int, output: GuardedOutput, env: Environment, *, debug: bool) -> int:
    """A closed pipe ends quietly, as SIGPIPE would end it; other failures say so once."""
    failure = output.failure
    if failure is None:
        return code
    with contextlib.suppress(OSError):  # stderr may be gone too: the status still tells
        if debug:
            env.err("".join(traceback.format_exception(failure)).rstrip())
        if not output.reader_gone:
            reason = failure.strerror or str(failure)
            env.err(printable(f"Error: cannot write to standard output: {reason}"))
    return int(ExitStatus.BROKEN_PIPE if output.reader_gone else ExitStatus.ERROR)


def _main(argv: Sequence[str], env: Environment, output: GuardedOutput) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        progress_interval(env.environ)  # a bad value is a usage error before any work
    except UsageError as error:
        if "--json" in argv:
            from reconciler.views.stream import JsonStream

            JsonStream(env).error(error)  # even a bad command line is a diagnostic then
        else:
            env.err(printable(f"Error: {error}"))
        return int(ExitStatus.ERROR)
    except SystemExit as exit_:  # --help and --version print and exit 0
        return int(exit_.code or 0)
    if args.no_color:
        env = dataclasses.replace(env, no_color=True)
    for old, new in dict.fromkeys(args.deprecated):
        env.err(f"warning: {old} is deprecated and will be removed; use {new}")
    if args.debug:
        import logging

        logging.basicConfig(level=logging.DEBUG, format="%(levelname)s %(name)s: %(message)s")
    with sigterm_as_interrupt() as signals:
        return _interrupted_status(_run(args, env, output), signals)


def _interrupted_status(code: int, signals: Signals) -> int:
    """Apply reports an interrupt it stopped cleanly on as 130; SIGTERM's status is 143."""
    if code == ExitStatus.INTERRUPTED and signals.terminated:
        return int(ExitStatus.TERMINATED)
    return code


def _run(args: argparse.Namespace, env: Environment, output: GuardedOutput) -> int:
    # Chosen once, by the verb module, from its flags; with --json, stdout carries the UI
    # stream only, errors included (as diagnostics), and its first message is sent now.
    view: View = args.view(args, env)
    try:
        return int(args.handler(args, env, view))
    except OutputLost:  # stopped like on Ctrl-C; main says the rest
        return int(ExitStatus.ERROR)
    except ReconcilerError as error:
        if args.debug:
            env.err(traceback.format_exc().rstrip())
        _fail(env, view, output, error, f"Error: {error}")
        return int(error.exit_status)
    except Terminated as error:
        _fail(env, view, output, error, "Terminated.")
        return int(ExitStatus.TERMINATED)
    except KeyboardInterrupt as error:
        _fail(env, view, output, error, "Interrupted.")
        return int(ExitStatus.INTERRUPTED)
    except Exception as error:  # a bug: still one line unless --debug
        if args.debug:
            env.err(traceback.format_exc().rstrip())
        text = f"Error: unexpected {type(error).__name__}: {error} (rerun with --debug)"
        _fail(env, view, output, error, text)
        return int(ExitStatus.ERROR)


def _fail(
    env: Environment,
    view: View,
    output: GuardedOutput,
    error: BaseException,
    text: str,
) -> None:
    if output.failure is not None:  # with stdout gone, stderr still reads
        env.err(printable(text))
    else:
        view.fail(error, text)
