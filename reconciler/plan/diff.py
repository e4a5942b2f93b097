"""Attribute differences between the recorded spec and the desired one, computed with deepdiff."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from reconciler.plan.model import AttributeChange

_TOP_KEY = re.compile(r"^root\['([^']*)'\]")


def attribute_changes(
    before: Mapping[str, Any], after: Mapping[str, Any], ignore: frozenset[str] = frozenset()
) -> list[AttributeChange]:
    """One change per top-level attribute that differs; nested values compare as a whole."""
    if _strictly_equal(before, after, ignore):
        return []  # the common case, and DeepDiff costs ~0.3 ms even when nothing differs
    # Imported here: deepdiff loads asyncio, and with it socket, ssl and subprocess, which
    # importing the planner must not (tests/test_layering.py).
    from deepdiff import DeepDiff

    diff = DeepDiff(dict(before), dict(after), ignore_order=False, verbose_level=2)
    keys: set[str] = set()
    for paths in diff.values():
        for path in paths:
            match = _TOP_KEY.match(str(path))
            if match:
                keys.add(match.group(1))
    return [
        AttributeChange(path=key, before=before.get(key), after=after.get(key))
        for key in sorted(keys - ignore)
    ]


def _strictly_equal(
    before: Mapping[str, Any], after: Mapping[str, Any], ignore: frozenset[str]
) -> bool:
    """Equal, and with the same types (1, 1.0 and True are equal in Python, not in a spec)."""
    keys = (before.keys() | after.keys()) - ignore
    return all(_same(before.get(key), after.get(key)) for key in keys) and all(
        (key in before) == (key in after) for key in keys
    )


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)
