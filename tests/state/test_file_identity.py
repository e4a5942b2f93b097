"""The local backend knows the state file it wrote by its whole identity, ctime too."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from reconciler.state import LocalStateBackend, State, StateError
from tests.clocks import rewrite_in_place
from tests.state.helpers import record

LINEAGE = "7b0c6c1e-8a49-4b8e-9d3c-0c2f4c6f2d11"


def test_a_backup_copied_back_in_place_with_the_mtime_kept_is_noticed(state_path: Path) -> None:
    """``cp -p``-style: the snapshot's inode, size and mtime stay; the run must read it again
    rather than append its change to a state that is not the one it read."""
    backend = LocalStateBackend(state_path)
    voices = {f"v{i}": record(f"v{i}") for i in range(10)}
    first = backend.write(State(lineage=LINEAGE, voices=voices))
    second = backend.write(first)  # serial 2, the same size: the backup holds serial 1
    backup = backend.backup_path.read_bytes()
    rewrite_in_place(state_path, backup)
    changed = dataclasses.replace(second, voices={**voices, "v0": record("v0", phase="uploaded")})
    with pytest.raises(StateError, match="is at serial 1, but this run read serial 2"):
        backend.checkpoint(changed, ["v0"])
    assert LocalStateBackend(state_path).read().serial == 1  # the restored state, untouched
