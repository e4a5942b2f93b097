"""reconciler validate: is this config applicable, training data included?"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reconciler.defaults import DEFAULT_BIT_DEPTHS, DEFAULT_SAMPLE_RATES
from reconciler.environment import Environment
from reconciler.errors import ExitStatus

if TYPE_CHECKING:  # imported where used: `reconciler --help` must stay cheap
    from reconciler.config import ConfigCheck, Diagnostic
    from reconciler.views.base import View


def _numbers(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        message = f"expected comma-separated numbers, got {text!r}"
        raise argparse.ArgumentTypeError(message) from None
    if not values:
        raise argparse.ArgumentTypeError("expected at least one number")
    if min(values) <= 0:
        raise argparse.ArgumentTypeError(f"expected numbers above 0, got {text!r}")
    return values


def _listed(values: tuple[int, ...]) -> str:
    return ",".join(str(value) for value in values)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:

    parser = subparsers.add_parser(
        "validate",
        help="check the YAML and its training data without touching MetaStudio",
        description="Check the configuration and its training data; exit 1 on any error.",
    )
    parser.add_argument("path", nargs="?", default=".", help="config file or directory (.)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--strict", action="store_true", help="fail on warnings too")
    parser.add_argument(
        "--allow-outside",
        action="store_true",
        help="accept data and symlinks that lead outside the config directory",
    )
    parser.add_argument(
        "--sample-rates",
        type=_numbers,
        default=DEFAULT_SAMPLE_RATES,
        metavar="HZ,...",
        help=f"allowed wav sample rates (default: {_listed(DEFAULT_SAMPLE_RATES)})",
    )
    parser.add_argument(
        "--bit-depths",
        type=_numbers,
        default=DEFAULT_BIT_DEPTHS,
        metavar="BITS,...",
        help=f"allowed wav bit depths (default: {_listed(DEFAULT_BIT_DEPTHS)})",
    )
    parser.add_argument(
        "--no-table", action="store_true", help="findings only, no table of each voice's data"
    )
    parser.add_argument(
        "--update-lock",
        action="store_true",
        help="write reconciler.lock beside the config: the data's sha256s, sizes and "
        "measurements, so that a checkout without the Git LFS content still plans",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, env: Environment, view: View) -> int:
    from reconciler.config import Diagnostic, check_config, printable
    from reconciler.data import DigestCache, Inspection, default_cache_dir, inspect_data
    from reconciler.views.data_table import data_table, voice_data_json

    check = check_config(env.cwd / args.path)
    diagnostics = list(check.diagnostics)
    inspection = Inspection()
    written: str | None = None
    if check.config is not None:
        cache_dir = default_cache_dir(check.config.root_dir, env.environ)
        cache = DigestCache(cache_dir, clock=env.clock)
        inspection = inspect_data(
            check.config,
            allow_outside=args.allow_outside,
            allowed_sample_rates=args.sample_rates,
            allowed_bit_depths=args.bit_depths,
            cache=cache,
            updating_lock=args.update_lock,
        )
        diagnostics += inspection.diagnostics
        if args.update_lock:
            written = _write_lock(check.config.root_dir, inspection.locked, env)
    diagnostics.sort(key=Diagnostic.sort_key)
    errors = sum(d.is_error for d in diagnostics)
    warnings = len(diagnostics) - errors
    valid = errors == 0 and not (args.strict and warnings)
    if args.format == "json":
        report = _report(check, diagnostics, valid, env.cwd)
        report["data"] = voice_data_json(inspection.voices.values())
        if written is not None:
            report["lock"] = written
        env.out(json.dumps(report, indent=2))
    else:
        if not args.no_table:
            for line in data_table(inspection.voices.values()):
                env.out(line)
        for diagnostic in diagnostics:
            prefix = "" if diagnostic.is_error else "warning: "
            env.err(printable(prefix + diagnostic.format(env.cwd)))
        if written is not None:
            env.out(f"Wrote {written}.")
        _summary(env, check, errors, warnings, valid, args.strict)
    return int(ExitStatus.OK if valid else ExitStatus.ERROR)


def _write_lock(root_dir: Path, locked: dict[str, Any], env: Environment) -> str:
    from reconciler.config import display_path, printable
    from reconciler.data.lock import write_lock
    from reconciler.fsutil import file_error

    try:
        path = write_lock(root_dir, locked)
    except OSError as error:
        raise file_error("write the data lock", root_dir / "reconciler.lock", error) from error
    return printable(display_path(path, env.cwd))


def _summary(
    env: Environment, check: ConfigCheck, errors: int, warnings: int, valid: bool, strict: bool
) -> None:
    warned = f" ({_count(warnings, 'warning')})" if warnings else ""
    if valid:
        voices = len(check.config.voices) if check.config else 0
        files = _count(len(check.files), "file")
        env.out(f"Valid: {_count(voices, 'voice')} in {files}{warned}.")
    else:
        because = " (--strict)" if strict and not errors else ""
        env.err(f"Invalid: {_count(errors, 'error')}{warned}{because}.")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _report(
    check: ConfigCheck, diagnostics: list[Diagnostic], valid: bool, cwd: Path
) -> dict[str, Any]:
    from reconciler.config import display_path, printable

    return {
        "valid": valid,
        "voices": len(check.config.voices) if check.config else 0,
        "files": [printable(display_path(file, cwd)) for file in check.files],
        "diagnostics": [d.to_dict(cwd) for d in diagnostics],
    }
