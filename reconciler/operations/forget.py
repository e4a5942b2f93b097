"""Forget voices: drop their records from the state and leave their jobs alone in MetaStudio."""

from __future__ import annotations

from reconciler.addresses import resolve_address
from reconciler.operations.locking import state_lock
from reconciler.state.backend import StateBackend
from reconciler.state.errors import StateError
from reconciler.state.record import VoiceRecord


def forget_voices(
    backend: StateBackend, addresses: list[str], *, lock_timeout: float
) -> list[VoiceRecord]:
    """Remove every addressed record in one write, or none if any address is unknown."""
    with state_lock(backend, "state rm", lock_timeout):
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
    """A record without a job ID is the only trace of the job its interrupted create may have
    made. Forgetting it would leave that (paid) job recorded nowhere, and the plan of a voice
    no longer in the state cannot find it; so it is settled first, by commands that look."""
    if record.job_id is not None:
        return
    voice_name = (record.create_attempt or {}).get("voice_name", "?")
    raise StateError(
        f"{record.address} has no job ID: its create (started "
        f"{(record.create_attempt or {}).get('started_at', '?')}) was interrupted and may have "
        f"made a job named {voice_name!r} in MetaStudio, which nothing else records",
        hint=f"`reconciler destroy --target {record.address}` deletes that job if it exists "
        f"and forgets the voice; to keep the job, `reconciler plan` names it and `reconciler "
        f"import {record.address} JOB_ID` records it, after which `state rm` forgets it",
    )
