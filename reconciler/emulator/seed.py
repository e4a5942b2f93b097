"""Bulk insertion of jobs from TrainingJobInfo-like dicts, for benchmarks and tests."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from reconciler.emulator.model import CREATE_TYPES, ECHOED_ATTRS, JOB_STATES, JOB_TYPES, Job

# Job ids become directory names and URL path segments; a leading "_" is reserved.
_JOB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


class SeedError(ValueError):
    """A seed record is malformed; the message names the record and the field."""


def _choice(record: Mapping[str, Any], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = record.get(name, default)
    if value not in allowed:
        raise SeedError(f"{name} must be one of {', '.join(allowed)}, got {value!r}")
    return str(value)


def build_job(record: Mapping[str, Any], default_project: str, now: float) -> Job:
    if not isinstance(record, Mapping):
        raise SeedError("each seeded job must be an object")
    job_id = str(record.get("job_id") or uuid.uuid4())
    if not _JOB_ID.match(job_id):
        raise SeedError(
            f"job_id {job_id!r} must be 1-64 letters, digits, '-' or '_', not starting with '_'"
        )
    create_ts = float(record.get("create_time", now))
    update_ts = float(record.get("lastupdate_time", create_ts))
    attrs = {name: record[name] for name in ECHOED_ATTRS if record.get(name) is not None}
    attrs.setdefault("voice_name", f"seeded-{job_id[:8]}")
    for name in ("description", "is_ondemand_resource"):
        if name in record:
            attrs[name] = record[name]
    state = _choice(record, "state", JOB_STATES, "CREATING")
    return Job(
        job_id=job_id,
        project_id=str(record.get("project_id") or default_project),
        job_type=_choice(record, "job_type", JOB_TYPES, "BASIC"),
        create_type=_choice(record, "create_type", CREATE_TYPES, "PACKAGE"),
        attrs=attrs,
        state=state,
        create_ts=create_ts,
        update_ts=update_ts,
        state_since=update_ts,
        reject_times=int(record.get("reject_times", 0)),
        asset_id=record.get("asset_id") if state == "SUCCEED" else None,
        failed_code=record.get("job_failed_code"),
        failed_reason=record.get("job_failed_reason"),
    )


def build_jobs(
    records: Iterable[Mapping[str, Any]], default_project: str, existing: Iterable[str], now: float
) -> list[Job]:
    seen = set(existing)
    jobs = []
    for position, record in enumerate(records):
        try:
            job = build_job(record, default_project, now)
        except (SeedError, TypeError, ValueError) as error:
            raise SeedError(f"seeded job #{position}: {error}") from None
        if job.job_id in seen:
            raise SeedError(f"seeded job #{position}: job_id {job.job_id!r} already exists")
        seen.add(job.job_id)
        jobs.append(job)
    return jobs
