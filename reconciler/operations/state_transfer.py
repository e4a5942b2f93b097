"""state pull / push / migrate: a whole state in or out of the configured backend.

Push and migrate hold the lock and write through the backend, so its compare-and-swap
applies. ``force`` keeps the stored lineage and serial as the base of the write: the pushed
voices replace the stored ones, and the history (backup, history table) keeps the old ones.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from reconciler.fsutil import file_errors
from reconciler.operations.locking import state_lock
from reconciler.state.backend import StateBackend
from reconciler.state.codec import encode
from reconciler.state.errors import StateError
from reconciler.state.model import State
from reconciler.state.remote_journal import decode_state


def pull_state(backend: StateBackend) -> bytes:
    """The stored state as the local backend would write it."""
    return encode(backend.read())


def load_state_file(path: Path) -> State:
    with file_errors("read state file", path, StateError):
        data = path.read_bytes()
    return decode_state(data, str(path))


def push_state(backend: StateBackend, pushed: State, *, force: bool, lock_timeout: float) -> State:
    """Store ``pushed`` (whose serial is the one it was pulled at) in place of the stored one."""
    with state_lock(backend, "state push", lock_timeout):
        stored = backend.read()
        if stored.serial == 0:
            base = dataclasses.replace(pushed, serial=0)
        elif force:
            base = dataclasses.replace(pushed, lineage=stored.lineage, serial=stored.serial)
        elif stored.lineage != pushed.lineage:
            raise StateError(
                f"state {backend.describe()} is lineage {stored.lineage}, but the pushed state "
                f"is lineage {pushed.lineage}: they are different states",
                hint="pass --force to replace it anyway (the old version is kept as a backup)",
            )
        elif pushed.serial < stored.serial:
            raise StateError(
                f"state {backend.describe()} is at serial {stored.serial}, newer than the "
                f"pushed state's serial {pushed.serial}: pushing would undo its changes",
                hint="pull the state again and redo your edit, or pass --force",
            )
        else:
            base = dataclasses.replace(pushed, serial=stored.serial)
        return backend.write(base)


def migrate_state(backend: StateBackend, source: Path, *, lock_timeout: float) -> State:
    """Copy the local state file ``source`` into ``backend``; idempotent for the same state."""
    local = load_state_file(source)
    with state_lock(backend, "state migrate", lock_timeout):
        stored = backend.read()
        if stored.serial > 0 and stored.lineage != local.lineage:
            raise StateError(
                f"state {backend.describe()} already holds lineage {stored.lineage}, not "
                f"{local.lineage} of {source}: migrating would replace another state",
                hint="point state at an empty location, or use `state push --force` on purpose",
            )
        if stored.serial > 0 and stored.voices == local.voices:
            return stored  # already migrated
        if stored.serial > local.serial:
            raise StateError(
                f"state {backend.describe()} is at serial {stored.serial}, newer than "
                f"{source} at serial {local.serial}",
                hint="the backend already moved on; keep using it",
            )
        return backend.write(dataclasses.replace(local, serial=stored.serial))
