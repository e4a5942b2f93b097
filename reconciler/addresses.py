"""Turning a ``voice.NAME`` address typed by a person into a voice name, or a helpful error."""

from __future__ import annotations

import difflib
import fnmatch
from collections.abc import Iterable

from reconciler.errors import UsageError

PREFIX = "voice."
LISTED = 10  # beyond this many known addresses, a list stops helping


def address_of(name: str) -> str:
    """The address of the voice called ``name`` in the YAML: ``voice.NAME``."""
    return f"{PREFIX}{name}"


def matches(address: str, patterns: Iterable[str]) -> bool:
    """Whether ``address`` matches any of the --target / --replace glob ``patterns``."""
    return any(fnmatch.fnmatchcase(address, p) for p in patterns)


def resolve_address(address: str, names: Iterable[str], where: str) -> str:
    """The name ``address`` refers to among ``names``; ``where`` says what was searched
    ("the configuration", "the state") for the error."""
    if not address:
        raise UsageError(
            "an empty address names no voice", hint="voices are addressed as voice.NAME"
        )
    known = sorted(address_of(name) for name in names)
    if address in known:
        return address[len(PREFIX) :]
    if not address.startswith(PREFIX) and f"{PREFIX}{address}" in known:
        raise UsageError(
            f"{address!r} is not an address: did you mean {PREFIX}{address}?",
            hint="voices are addressed as voice.NAME",
        )
    raise UsageError(f"{address} is not a voice in {where}", hint=_suggestion(address, known))


def _suggestion(address: str, known: list[str]) -> str:
    if not known:
        return "it has no voices at all"
    # Compared without the prefix every address shares, which would make any two look alike.
    names = [k[len(PREFIX) :] for k in known]
    typed = address[len(PREFIX) :] if address.startswith(PREFIX) else address
    close = difflib.get_close_matches(typed, names, n=1)
    if close:
        return f"did you mean {PREFIX}{close[0]}?"
    shown = ", ".join(known[:LISTED])
    more = f" and {len(known) - LISTED} more" if len(known) > LISTED else ""
    return f"known addresses: {shown}{more}"
