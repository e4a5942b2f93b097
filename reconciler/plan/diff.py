"""Attribute differences between the recorded spec and the desired one, computed with deepdiff."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from deepdiff import DeepDiff

from reconciler.plan.model import AttributeChange

_TOP_KEY = re.compile(r"^root\['([^']*)'\]")


def attribute_changes(
    before: Mapping[str, Any], after: Mapping[str, Any], ignore: frozenset[str] = frozenset()
) -> list[AttributeChange]:
    """One change per top-level attribute that differs; nested values compare as a whole."""
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
