"""Remember observed training states in the state file, so offline plans and listings are current.

The state is only locked when there is something to write: a status check should neither
wait for a running apply nor bump the serial for nothing.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable

from reconciler.operations.locking import LockWaits, state_lock
from reconciler.state import State, StateBackend, rfc3339
from reconciler.status.model import VoiceStatus


def _updates(state: State, statuses: Iterable[VoiceStatus]) -> dict[str, tuple[str, str | None]]:
    updates = {}
    for status in statuses:
        record = state.voices.get(status.name)
        # Skip what was not observed, and records a concurrent apply has pointed at a new job.
        if status.state is None or record is None or record.job_id != status.job_id:
            continue
        if (record.remote_state, record.asset_id) != (status.state, status.asset_id):
            updates[status.name] = (status.state, status.asset_id)
    return updates


def record_observations(
    backend: StateBackend,
    statuses: Iterable[VoiceStatus],
    lock_timeout: float,
    *,
    operation: str = "status",
    clock: Callable[[], float] = time.time,
    on_wait: LockWaits | None = None,
) -> int:
    """Write each observed remote_state and asset_id into its record; returns records changed.

    Raises LockError when the lock stays busy for ``lock_timeout`` s and something changed.
    """
    statuses = list(statuses)
    if not _updates(backend.read(), statuses):
        return 0
    with state_lock(backend, operation, lock_timeout, on_wait):
        state = backend.read()
        updates = _updates(state, statuses)
        if not updates:
            return 0
        now = rfc3339(clock())
        changes = {
            name: dataclasses.replace(
                state.voices[name], remote_state=remote_state, asset_id=asset_id, updated_at=now
            )
            for name, (remote_state, asset_id) in updates.items()
        }
        backend.write(state.with_records(changes))
    return len(updates)
