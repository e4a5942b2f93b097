"""The one place a run takes the state lock.

Every operation that reads the state to change it (or reads MetaStudio to plan from it)
holds the lock through here, so that how locking works (waiting, lock notes, remote
backends, signals) is decided once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager

from reconciler.state import LockInfo, StateBackend
from reconciler.state.errors import LockBusy

# Told, when the lock is busy and the run is about to wait up to ``timeout`` seconds, who
# holds it (None: the holder has not said yet); the context it returns spans the wait, so a
# view can show progress until the lock is taken or the wait fails.
LockWaits = Callable[[LockInfo | None, float], AbstractContextManager[None]]


@contextmanager
def state_lock(
    backend: StateBackend, operation: str, timeout: float, on_wait: LockWaits | None = None
) -> Iterator[LockInfo]:
    """Hold the lock for the block; LockError naming the holder after ``timeout`` seconds.

    With ``on_wait``, a busy lock is tried once without waiting first, so that the wait can
    be announced, with its holder, before it begins."""
    with ExitStack() as stack:
        if on_wait is None or timeout == 0:
            info = stack.enter_context(_lock(backend, operation, timeout))
        else:
            busy: LockBusy | None = None
            try:
                info = stack.enter_context(_lock(backend, operation, 0))
            except LockBusy as error:
                busy = error  # waited for outside the handler: its error is not the wait's
            if busy is not None:
                with on_wait(busy.holder, timeout):
                    info = stack.enter_context(_lock(backend, operation, timeout))
        yield info


def _lock(
    backend: StateBackend, operation: str, timeout: float
) -> AbstractContextManager[LockInfo]:
    return backend.lock(operation, timeout)
