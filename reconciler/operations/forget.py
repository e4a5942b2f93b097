"""Forget voices: drop their records from the state and leave their jobs alone in MetaStudio."""

from __future__ import annotations

from reconciler.addresses import resolve_address
from reconciler.operations.locking import LockWaits, state_lock
from reconciler.plan.forgetting import unsettled
from reconciler.state.backend import StateBackend
from reconciler.state.errors import StateError
from reconciler.state.record import VoiceRecord


def forget_voices(
    backend: StateBackend,
    addresses: list[str],
    *,
    lock_timeout: float,
    on_wait: LockWaits | None = None,
) -> list[VoiceRecord]:
    """Remove every addressed record in one write, or none if any address is unknown."""
    with state_lock(backend, "state rm", lock_timeout, on_wait):
        state = backend.read()
        names = []
        for address in addresses:
            name = resolve_address(address, state.voices, "the state")
            if name not in names:
                names.append(name)
        removed = [state.voices[name] for name in names]
        for record in removed:
            _check_settled(record)
        for name in names:
            state = state.without_voice(name)
        backend.write(state)
    return removed


def _check_settled(record: VoiceRecord) -> None:
    refusal = unsettled(record)
    if refusal is not None:
        problem, hint = refusal
        raise StateError(problem, hint=hint)
