"""Short jobs (op 18): the free VOICE_ASSESS job, its record and its state machine.

The SDK's ShowShortJobResponse carries a JobState, so the states are the training job's:
CREATING (created, its zip not yet committed) -> commit -> PROCESSING -> SUCCEED with an
``assess_result``, or FAILED with ``job_failed_code``/``job_failed_reason``. Which of the
sixteen states a real short job passes through is not documented [inferred]; a short job
takes no training resource and has no review, so it skips the audit states. Transitions
happen as for training jobs: when the job is read and its time in PROCESSING is up, or
through the admin endpoint.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

from reconciler.emulator.errors import invalid_parameter

SHORT_JOB_TYPES = ("VOICE_ASSESS",)
DONE_STATES = frozenset({"SUCCEED", "FAILED"})

# What analysing the uploaded sample gives: the assess_result, or (code, reason) of a failure.
Outcome = dict[str, Any] | tuple[str, str]
Analyse = Callable[["ShortJob"], Outcome]  # reads the committed sample, never the job's state


@dataclass
class ShortJob:
    job_id: str
    project_id: str
    job_type: str
    state: str
    create_ts: float
    update_ts: float
    state_since: float
    language: str | None = None
    app_user_id: str | None = None
    failed_code: str | None = None
    failed_reason: str | None = None
    assess: dict[str, Any] | None = None
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_record(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _FIELD_NAMES}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> ShortJob:
        return cls(**{name: record[name] for name in _FIELD_NAMES if name in record})

    def info(self) -> dict[str, Any]:
        """The body of show_short_job: exactly the SDK's ShowShortJobResponse fields."""
        info: dict[str, Any] = {"job_type": self.job_type, "job_id": self.job_id}
        info["state"] = self.state
        if self.failed_code is not None:
            info["job_failed_code"] = self.failed_code
            info["job_failed_reason"] = self.failed_reason or ""
        info["create_time"] = int(self.create_ts)
        info["lastupdate_time"] = int(self.update_ts)
        if self.assess is not None:
            info["assess_result"] = self.assess
        return info


_FIELD_NAMES = tuple(f.name for f in fields(ShortJob))


def _set_state(job: ShortJob, state: str, at: float) -> None:
    job.state, job.state_since, job.update_ts = state, at, at


def commit(job: ShortJob, at: float, *, uploaded: bool) -> None:
    if job.state != "CREATING":
        raise invalid_parameter("job_id", f"short job is {job.state}; only CREATING is committed")
    if not uploaded:
        raise invalid_parameter(
            "job_id", "has no data uploaded; upload the zip to data_uploading_url first"
        )
    _set_state(job, "PROCESSING", at)


def finish(job: ShortJob, at: float, outcome: Outcome) -> bool:
    """PROCESSING ends with ``outcome`` (the sample's analysis, made by the caller without
    the lock). False when the job was not processing (another caller finished it first)."""
    if job.state != "PROCESSING":
        return False
    if isinstance(outcome, tuple):
        job.failed_code, job.failed_reason = outcome
        _set_state(job, "FAILED", at)
    else:
        job.assess = outcome
        _set_state(job, "SUCCEED", at)
    return True


def due_at(job: ShortJob, now: float, seconds_per_state: float) -> float | None:
    """When a job whose time in PROCESSING is up finished (None: it is not, or jobs move by
    hand only): then its sample is analysed and ``finish`` records the outcome."""
    if seconds_per_state < 0 or job.state != "PROCESSING":
        return None
    due = job.state_since + seconds_per_state
    return due if now >= due else None
