from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.state import LocalStateBackend
from tests.state.helpers import spawn, stop


@pytest.fixture
def state_path(tmp_path: Path) -> Path:
    return tmp_path / "reconciler.state.json"


@pytest.fixture
def backend(state_path: Path) -> LocalStateBackend:
    return LocalStateBackend(state_path)


@pytest.fixture
def holder(state_path: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """Another process holding the lock for 'apply'; yields it and its lock ID."""
    process = spawn("hold", str(state_path), "apply")
    try:
        assert process.stdout is not None
        lock_id = process.stdout.readline().strip()
        assert lock_id, "the child did not get the lock"
        yield process, lock_id
    finally:
        stop(process)
