"""How attribute values look in human-facing renderings (text and markdown, not JSON).

Kept apart from the renderers so that they all show values one way; which values are personal,
and how they are masked, is reconciler.state.privacy's rule.
"""

from __future__ import annotations

import json
import re
from typing import Any

from reconciler.state.privacy import SENSITIVE, is_sensitive, redact_personal

KNOWN_AFTER_APPLY = "(known after apply)"

_LONG_DIGEST = re.compile(r"^(sha256:[0-9a-f]{12})[0-9a-f]+$")


def literal(value: Any) -> str:
    """JSON spelling: quotes make trailing spaces and empty strings visible to reviewers."""
    return json.dumps(redact_personal(value), ensure_ascii=False, sort_keys=True)


def shorten(text: str) -> str:
    """A digest's first 12 hex chars identify it well enough for reading; the rest is noise."""
    match = _LONG_DIGEST.match(text)
    return f"{match.group(1)}…" if match else text


def shown(key: str, value: Any, *, short: bool = True) -> str:
    if is_sensitive(key):
        return SENSITIVE
    if short and isinstance(value, str):
        return literal(shorten(value))
    return literal(value)


def shown_change(key: str, before: Any, after: Any) -> str:
    """``before -> after``; digests stay full when their short forms would look the same."""
    if is_sensitive(key):
        return SENSITIVE
    short = shown(key, before) != shown(key, after)
    return f"{shown(key, before, short=short)} -> {shown(key, after, short=short)}"
