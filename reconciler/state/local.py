"""The state in a local JSON file, with a backup of the previous version and a lock beside it.

A state path that is a symbolic link is followed once (see links.py): everything lives
beside the file it leads to.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Collection
from contextlib import AbstractContextManager
from pathlib import Path

from reconciler.fsutil import (
    atomic_write,
    ensure_dir,
    file_error,
    file_errors,
    remove_stray_temps,
)
from reconciler.state.codec import decode, encode
from reconciler.state.errors import StateError
from reconciler.state.links import resolve_state_path
from reconciler.state.lockinfo import Confirm, LockInfo
from reconciler.state.locking import LocalLock
from reconciler.state.model import FORMAT_VERSION, State


class LocalStateBackend:
    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = resolve_state_path(path)
        self.backup_path = self.path.with_name(self.path.name + ".backup")
        self._lock = LocalLock(self.path, clock)

    def describe(self) -> str:
        return str(self.path)

    def read(self) -> State:
        data = self._read_bytes()
        if data is not None:
            return decode(data, self.path, self.backup_path)
        if self.backup_path.exists():
            # Our writes never remove the state file, so someone did; starting empty would
            # forget every job and create duplicates.
            raise StateError(
                f"state file {self.path} is missing but its backup {self.backup_path} exists",
                hint=f"restore it with: cp {self.backup_path} {self.path} "
                "(or delete the backup to really start from an empty state)",
            )
        return State.new()

    def write(self, state: State) -> State:
        current = self._read_bytes()
        stored = None if current is None else decode(current, self.path, self.backup_path)
        if stored is not None and _is_retry_of(state, stored):
            return stored
        self._check_based_on(state, stored)
        written = dataclasses.replace(state, serial=state.serial + 1, format_version=FORMAT_VERSION)
        directory = self.path.parent
        ensure_dir(directory, StateError)
        with file_errors("list the state directory", directory, StateError):
            for target in (self.path, self.backup_path):
                remove_stray_temps(target)
        if current is not None:
            # Named on its own: a backup that cannot be written (a directory in its place)
            # fails every retry, and the state file itself was not touched.
            unchanged = f"state file {self.path} is unchanged at serial {state.serial}"
            with file_errors(
                "write the state backup", self.backup_path, StateError, hint=unchanged
            ):
                atomic_write(self.backup_path, current)
        retry = (
            f"{self.path} holds either serial {state.serial} or {written.serial}, never a "
            "partial file; retrying the same write is safe"
        )
        with file_errors("write state file", self.path, StateError, hint=retry):
            atomic_write(self.path, encode(written))
        return written

    def checkpoint(self, state: State, changed: Collection[str]) -> State:
        # Interim: a whole-file write until the journal lands (issue 12); same guarantees.
        return self.write(state)

    def lock(self, operation: str, timeout: float) -> AbstractContextManager[LockInfo]:
        return self._lock.hold(operation, timeout)

    def force_unlock(self, lock_id: str, confirm: Confirm | None = None) -> LockInfo:
        return self._lock.force_unlock(lock_id, confirm)

    def _read_bytes(self) -> bytes | None:
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise file_error("read state file", self.path, error, StateError) from error

    def _check_based_on(self, state: State, stored: State | None) -> None:
        hint = "another run changed the state without holding the lock; rerun to use its changes"
        if stored is None:
            if state.serial != 0:
                raise StateError(
                    f"state file {self.path} disappeared after serial {state.serial} was read",
                    hint=f"restore it from {self.backup_path} and rerun",
                )
            return
        if stored.lineage != state.lineage:
            raise StateError(
                f"state file {self.path} now belongs to lineage {stored.lineage}, "
                f"not {state.lineage} that this run read",
                hint=hint,
            )
        if stored.serial != state.serial:
            raise StateError(
                f"state file {self.path} is at serial {stored.serial}, "
                f"but this run read serial {state.serial}",
                hint=hint,
            )


def _is_retry_of(state: State, stored: State) -> bool:
    """A write repeated after its outcome was unknown (e.g. the dir fsync failed) already landed."""
    if stored.lineage != state.lineage or stored.serial != state.serial + 1:
        return False
    return stored.to_dict() == dataclasses.replace(state, serial=stored.serial).to_dict()
