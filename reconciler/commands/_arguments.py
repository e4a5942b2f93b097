"""argparse types for numbers and identifiers: each refuses, as a one-line usage error, what
would otherwise crash or hang much later (NaN never times out, a huge port overflows bind)."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from pathlib import Path

from reconciler.state import is_job_id

# Waiting longer than a month is never what a person meant, and far larger numbers overflow
# the timeouts of threading and select.
MAX_SECONDS = 30 * 24 * 3600.0
MAX_POLL_INTERVAL = 3600.0
MAX_PARALLELISM = 64  # threads, each holding an HTTP connection


def seconds(
    *, positive: bool = False, signed: bool = False, maximum: float = MAX_SECONDS
) -> Callable[[str], float]:
    """A finite number of seconds, at least 0 (more than 0 if ``positive``; from -``maximum`` if
    ``signed``), at most ``maximum``."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a number of seconds, got {text!r}"
            ) from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"expected a finite number of seconds, got {text!r}")
        if signed and value < -maximum:
            raise argparse.ArgumentTypeError(f"must be at least {-maximum:g} seconds, got {text}")
        if (value < 0 and not signed) or (positive and value == 0):
            least = "more than 0" if positive else "at least 0"
            raise argparse.ArgumentTypeError(f"must be {least} seconds, got {text}")
        if value > maximum:
            raise argparse.ArgumentTypeError(f"must be at most {maximum:g} seconds, got {text}")
        return value

    return parse


def integer(minimum: int, maximum: int) -> Callable[[str], int]:
    """A whole number from ``minimum`` to ``maximum`` inclusive."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:  # also Python's limit on the digits of one int
            shown = text if len(text) <= 40 else text[:40] + "..."
            raise argparse.ArgumentTypeError(f"expected a whole number, got {shown!r}") from None
        if not minimum <= value <= maximum:
            raise argparse.ArgumentTypeError(f"must be from {minimum} to {maximum}, got {value}")
        return value

    return parse


def renamed(new_flag: str) -> type[argparse.Action]:
    """The action of a flag's old spelling: it stores like ``new_flag`` and notes its use in
    ``deprecated`` (flag, new flag) so that cli.py warns once, however often it was given."""

    class Renamed(argparse.Action):
        def __call__(
            self,
            parser: argparse.ArgumentParser,
            namespace: object,  # the Namespace, which stops at the verb modules
            values: object,
            option_string: str | None = None,
        ) -> None:
            fields = vars(namespace)
            fields[self.dest] = values
            fields["deprecated"] = (
                *fields.get("deprecated", ()),
                (option_string or self.dest, new_flag),
            )

    return Renamed


port = integer(0, 65535)
parallelism = integer(1, MAX_PARALLELISM)


def file_name(text: str) -> str:
    """A path to a file to write: one that names a file, not ``/``, ``.`` or nothing."""
    if Path(text).name in ("", ".", ".."):
        raise argparse.ArgumentTypeError(f"{text!r} does not name a file")
    return text


def directory(text: str) -> str:
    """A folder to write into; the empty string is no folder (it would silently mean ``.``)."""
    if not text:
        raise argparse.ArgumentTypeError("expected a folder, got ''")
    return text


def address(text: str) -> str:
    """A voice address or glob (voice.NAME, voice.*); resolved against the voices later."""
    if not text:
        raise argparse.ArgumentTypeError("expected voice.NAME, got ''")
    return text


def job_id(text: str) -> str:
    """A MetaStudio job ID as it goes into URL paths: no empty, ``..`` or ``a/b`` IDs."""
    if not is_job_id(text):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a job ID (letters, digits, '-', '_' and '.', starting with a "
            "letter or digit)"
        )
    return text
