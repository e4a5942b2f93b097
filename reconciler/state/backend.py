"""The narrow interface every state store offers: a local file, object storage, PostgreSQL.

Two ways to write. ``write`` stores a whole snapshot (state push, migrate, forget, import).
``checkpoint`` records what apply just did to a few voices: its cost (bytes sent, rows
written, time) must not grow with the number of voices in the state, because apply makes one
after every remote step. A store typically appends the changed records to a journal beside a
snapshot and folds the journal into the snapshot now and then; ``read`` returns the snapshot
with the journal replayed, so a reader never sees the difference.
"""

from __future__ import annotations

from collections.abc import Collection
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

    def checkpoint(self, state: State, changed: Collection[str]) -> State:
        """Durably record the records of the voices named in ``changed`` as they are in
        ``state`` (a name missing from ``state.voices`` was removed); return ``state`` with
        its serial bumped, exactly as ``write`` would have stored it.

        Refuses like ``write`` when the stored lineage or serial is not ``state``'s. Once it
        returns, the change survives any crash; a crash during it leaves the state as it
        was before or after, never in between. The caller batches concurrent voices'
        changes into one call (group commit).
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
