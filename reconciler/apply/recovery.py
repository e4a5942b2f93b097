"""Finding the job an interrupted or ambiguous create may have made, so it is adopted rather
than created twice. Creates are paid; "at most one job per voice" beats "fast"."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from reconciler.apply.context import ApplyContext
from reconciler.metastudio import TrainingJob
from reconciler.plan.inputs import attempt_since


def find_created(
    ctx: ApplyContext, attempt: Mapping[str, Any], *, patient: bool
) -> TrainingJob | None:
    """The job named like the attempt, created since it started, that no voice records.

    ``patient``: the create was just sent and its fate is unknown, so the job may not be
    listed yet; look a few times before concluding that it was never made.
    """
    lookups = ctx.recovery_lookups if patient else 1
    for lookup in range(lookups):
        if lookup:
            ctx.sleep(ctx.recovery_delay * lookup)
        found = _unknown(
            ctx,
            ctx.client.iter_jobs(
                voice_name=str(attempt["voice_name"]), create_since=attempt_since(attempt)
            ),
            str(attempt["voice_name"]),
        )
        if found:
            return min(found, key=lambda job: (job.create_time or 0, job.job_id))
    return None


def strangers(ctx: ApplyContext, voice_name: str) -> list[TrainingJob]:
    """Jobs with this voice_name that no voice in the state records."""
    return _unknown(ctx, ctx.client.iter_jobs(voice_name=voice_name), voice_name)


def _unknown(ctx: ApplyContext, jobs: Iterable[TrainingJob], voice_name: str) -> list[TrainingJob]:
    """Those of ``jobs`` named exactly ``voice_name`` that no voice records. The state is
    searched only when there are any: a new voice's create, the usual case, then costs the
    same in a catalogue of 100 voices as of 100,000."""
    named = [job for job in jobs if job.voice_name == voice_name]
    if not named:
        return []
    known = ctx.known_job_ids()
    return [job for job in named if job.job_id not in known]
