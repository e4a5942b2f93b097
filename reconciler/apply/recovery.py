"""Finding the job an interrupted or ambiguous create may have made, so it is adopted rather
than created twice. Creates are paid; "at most one job per voice" beats "fast"."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from reconciler.apply.context import ApplyContext
from reconciler.metastudio import TrainingJob
from reconciler.state import parse_rfc3339

# Our clock and MetaStudio's may disagree; look a little before the attempt started.
CLOCK_SKEW = timedelta(minutes=10)


def _since(attempt: Mapping[str, Any]) -> datetime:
    return parse_rfc3339(str(attempt["started_at"]), "create_attempt.started_at") - CLOCK_SKEW


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
        known = ctx.known_job_ids()
        found = [
            job
            for job in ctx.client.iter_jobs(
                voice_name=str(attempt["voice_name"]), create_since=_since(attempt)
            )
            if job.job_id not in known and job.voice_name == attempt["voice_name"]
        ]
        if found:
            return min(found, key=lambda job: (job.create_time or 0, job.job_id))
    return None


def strangers(ctx: ApplyContext, voice_name: str) -> list[TrainingJob]:
    """Jobs with this voice_name that no voice in the state records."""
    known = ctx.known_job_ids()
    return [
        job
        for job in ctx.client.iter_jobs(voice_name=voice_name)
        if job.job_id not in known and job.voice_name == voice_name
    ]
