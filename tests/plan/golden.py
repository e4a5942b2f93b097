"""Golden-file comparison; RECONCILER_UPDATE_GOLDEN=1 rewrites the files instead of comparing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

GOLDEN_DIR = Path(__file__).parent / "golden"
UPDATE_VARIABLE = "RECONCILER_UPDATE_GOLDEN"


def assert_golden(name: str, actual: str) -> None:
    # Stored with exactly one final newline so editors leave the files alone.
    content = actual if actual.endswith("\n") else actual + "\n"
    path = GOLDEN_DIR / name
    if os.environ.get(UPDATE_VARIABLE) == "1":
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(content.encode("utf-8"))
        return
    if not path.exists():
        pytest.fail(f"golden file {path} is missing; create it with {UPDATE_VARIABLE}=1 pytest")
    expected = path.read_bytes().decode("utf-8")
    assert content == expected, (
        f"{name} differs from its golden file; if the change is intended, "
        f"rerun with {UPDATE_VARIABLE}=1 and review the diff of {path}"
    )
