"""Errors of the state layer; both are ReconcilerErrors, so the CLI shows them on one line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reconciler.errors import ReconcilerError

if TYPE_CHECKING:
    from reconciler.state.lockinfo import LockInfo


class StateError(ReconcilerError):
    """The state file cannot be read or written safely."""


class LockError(ReconcilerError):
    """The state lock cannot be taken or removed."""


class LockBusy(LockError):
    """Another run holds the lock; ``holder`` is its note (None when it has written none yet),
    so that a run about to wait can say for whom."""

    def __init__(self, message: str, *, holder: LockInfo | None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.holder = holder


class LockLostError(StateError):
    """A write of a run whose lock was force-unlocked: refused, so it stops (fencing)."""


def lock_lost(where: str, lock_id: str, now_held_by: str | None) -> LockLostError:
    holder = f"; {now_held_by} holds it now" if now_held_by else ""
    return LockLostError(
        f"state {where}: the lock this run held (lock ID {lock_id}) was removed by "
        f"force-unlock{holder}; this run's change was not recorded, and it stops here",
        hint="the state is what the run holding the lock now makes of it; `reconciler plan` "
        "shows what this run did that the state does not record (`reconciler import` adopts "
        "a job it made)",
    )
