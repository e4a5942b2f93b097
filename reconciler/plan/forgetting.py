"""When a record may be forgotten (`state rm`, a `removed` entry) without losing a job."""

from __future__ import annotations

from reconciler.state.record import VoiceRecord


def unsettled(record: VoiceRecord) -> tuple[str, str] | None:
    """(problem, what to do) when forgetting ``record`` could lose a job, else None.

    A record without a job ID is the only trace of the job its interrupted create may have
    made. Forgetting it would leave that (paid) job recorded nowhere, and the plan of a voice
    no longer in the state cannot find it; so it is settled first, by commands that look."""
    if record.job_id is not None:
        return None
    attempt = record.create_attempt or {}
    voice_name = attempt.get("voice_name", "?")
    problem = (
        f"{record.address} has no job ID: its create (started "
        f"{attempt.get('started_at', '?')}) was interrupted and may have "
        f"made a job named {voice_name!r} in MetaStudio, which nothing else records"
    )
    hint = (
        f"`reconciler destroy --target {record.address}` deletes that job if it exists "
        f"and forgets the voice; to keep the job, `reconciler plan` names it and `reconciler "
        f"import {record.address} JOB_ID` records it, after which it can be forgotten"
    )
    return problem, hint
