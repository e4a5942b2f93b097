"""How attribute values look in human-facing renderings (text and markdown, not JSON).

Kept apart from the renderers so the rule that a phone number is never shown lives in one place.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

SENSITIVE_KEYS = frozenset({"phone"})
SENSITIVE = "(sensitive value)"
KNOWN_AFTER_APPLY = "(known after apply)"

_LONG_DIGEST = re.compile(r"^(sha256:[0-9a-f]{12})[0-9a-f]+$")


def is_sensitive(key: str) -> bool:
    return key in SENSITIVE_KEYS


def redact(value: Any) -> Any:
    """Mask sensitive keys at any depth: a nested mapping may carry a phone too."""
    if isinstance(value, Mapping):
        return {k: SENSITIVE if is_sensitive(str(k)) else redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [redact(item) for item in value]
    return value


def literal(value: Any) -> str:
    """JSON spelling: quotes make trailing spaces and empty strings visible to reviewers."""
    return json.dumps(redact(value), ensure_ascii=False, sort_keys=True)


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
