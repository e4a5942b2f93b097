"""The one place a run takes the state lock.

Every operation that reads the state to change it (or reads MetaStudio to plan from it)
holds the lock through here, so that how locking works (waiting, lock notes, remote
backends, signals) is decided once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from reconciler.state import LockInfo, StateBackend


@contextmanager
def state_lock(backend: StateBackend, operation: str, timeout: float) -> Iterator[LockInfo]:
    """Hold the lock for the block; LockError naming the holder after ``timeout`` seconds."""
    with backend.lock(operation, timeout) as info:
        yield info
