"""The narrow interface a state store offers, so that an object-store backend can follow."""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Protocol

from reconciler.state.lockinfo import Confirm, LockInfo
from reconciler.state.model import State


class StateBackend(Protocol):
    def read(self) -> State:
        """The stored state, or an empty State with a new lineage (serial 0) if there is none."""
        ...

    def write(self, state: State) -> State:
        """Store ``state`` with its serial bumped and return what was stored.

        Refuses (StateError) when the stored lineage or serial is not the one ``state`` was
        derived from: another writer got in between, and writing would lose its changes.
        """
        ...

    def lock(self, operation: str, timeout: float) -> AbstractContextManager[LockInfo]:
        """Hold the state lock for the body of a with block; LockError after ``timeout`` s."""
        ...

    def force_unlock(self, lock_id: str, confirm: Confirm | None = None) -> LockInfo:
        """Remove the lock held as ``lock_id``, after ``confirm(holder)`` agrees if given."""
        ...

    def describe(self) -> str:
        """Where the state lives, for messages."""
        ...
