"""Attribute diffs: a fast path for equal specs that never hides a real change."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.plan.diff import attribute_changes


@pytest.mark.parametrize(
    ("before", "after", "changed"),
    [
        ({"a": 1, "b": "x"}, {"a": 1, "b": "x"}, []),
        ({"a": 1}, {"a": True}, ["a"]),  # equal in Python, different in a spec
        ({"a": 1}, {"a": 1.0}, ["a"]),
        ({"a": None}, {}, ["a"]),  # present-but-null is not absent
        ({"a": [1, 2]}, {"a": [2, 1]}, ["a"]),
        ({"a": {"x": 1}}, {"a": {"x": 1, "y": 2}}, ["a"]),
        ({"a": 1, "job_id": "j"}, {"a": 1}, []),  # ignored keys
        ({"a": "x"}, {"a": "y", "b": 2}, ["a", "b"]),
    ],
)
def test_changes(before: dict[str, Any], after: dict[str, Any], changed: list[str]) -> None:
    paths = [c.path for c in attribute_changes(before, after, ignore=frozenset({"job_id"}))]
    assert paths == changed
