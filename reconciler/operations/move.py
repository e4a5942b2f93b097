"""`state mv`: give a recorded voice another address, its job and everything else kept."""

from __future__ import annotations

import re

from reconciler.addresses import PREFIX, address_of, resolve_address
from reconciler.errors import UsageError
from reconciler.operations.locking import LockWaits, state_lock
from reconciler.plan.moves import renamed
from reconciler.state.backend import StateBackend
from reconciler.state.errors import StateError
from reconciler.state.record import VoiceRecord

_ADDRESS = re.compile(rf"{re.escape(PREFIX)}[a-z0-9_-]{{1,64}}")


def move_voice(
    backend: StateBackend,
    source: str,
    target: str,
    *,
    lock_timeout: float,
    on_wait: LockWaits | None = None,
) -> VoiceRecord:
    """The record at ``source`` moved to ``target``, in one write; returns it as moved."""
    if not _ADDRESS.fullmatch(target):
        raise UsageError(
            f"{target!r} is not a voice address",
            hint="write voice.NAME, NAME being 1 to 64 lowercase letters, digits, '-' or '_'",
        )
    with state_lock(backend, "state mv", lock_timeout, on_wait):
        state = backend.read()
        old = resolve_address(source, state.voices, "the state")
        new = target[len(PREFIX) :]
        if new == old:
            raise UsageError(f"{source} and {target} are the same address")
        taken = state.voices.get(new)
        if taken is not None:
            raise StateError(
                f"{target} is already in the state (job {taken.job_id or 'not created yet'}); "
                f"moving {address_of(old)} onto it would lose that record",
                hint="choose a free address, or forget the other voice first with "
                "`reconciler state rm`",
            )
        record = renamed(state.voices[old], new)
        backend.write(state.with_records({old: None, new: record}))
    return record
