"""Short jobs (op 18): MetaStudio's free VOICE_ASSESS check of a sample of recordings.

Create a job (``{job_type, language}`` -> ``{job_id, data_uploading_url}``), PUT the zip to
that URL, commit it (no body), then show it until it settles: ``assess_result`` holds the
service's figures, each ``{expected, actual, suggestion, suggestion_en, status}`` with
``status`` 1 when out of range. A short job takes no training resource.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from reconciler.errors import ReconcilerError
from reconciler.jobstates import JobState
from reconciler.metastudio.models import Raw, dict_field, int_field, str_field
from reconciler.metastudio.redact import SignedUrl, optional_url

VOICE_ASSESS = "VOICE_ASSESS"
# The SDK's AssessResult, in its order; a newer service's extra keys are kept too.
ASSESS_ITEMS = ("speed", "sound", "snr", "reverb", "dnsmos_ovrl", "dnsmos_bak")
POLL_SECONDS = 3.0  # what the API reference asks of other short asynchronous jobs (async TTS)
SETTLED = JobState.TERMINAL | JobState.NEEDS_USER


@dataclass(frozen=True)
class CreatedShortJob:
    job_id: str
    data_uploading_url: SignedUrl | None
    raw: Raw = field(repr=False)

    @classmethod
    def from_raw(cls, raw: Raw) -> CreatedShortJob:
        return cls(
            job_id=str(raw.get("job_id", "")),
            data_uploading_url=optional_url(raw.get("data_uploading_url")),
            raw=raw,
        )


@dataclass(frozen=True)
class AssessItem:
    """One figure of ``assess_result`` (the SDK's AssessProperty)."""

    name: str
    expected: str | None
    actual: str | None
    suggestion: str | None
    suggestion_en: str | None
    status: int | None  # 1: out of range

    @property
    def out_of_range(self) -> bool:
        return bool(self.status)


@dataclass(frozen=True)
class AssessResult:
    items: tuple[AssessItem, ...]
    suggestion: str | None
    raw: Raw = field(repr=False)

    @classmethod
    def from_raw(cls, raw: Raw) -> AssessResult:
        names = [*ASSESS_ITEMS, *sorted(k for k in raw if k not in ASSESS_ITEMS)]
        items = tuple(
            AssessItem(
                name,
                expected=str_field(raw[name], "expected"),
                actual=str_field(raw[name], "actual"),
                suggestion=str_field(raw[name], "suggestion"),
                suggestion_en=str_field(raw[name], "suggestion_en"),
                status=int_field(raw[name], "status"),
            )
            for name in names
            if isinstance(raw.get(name), Mapping)
        )
        return cls(items=items, suggestion=str_field(raw, "suggestion"), raw=raw)

    def item(self, name: str) -> AssessItem | None:
        return next((i for i in self.items if i.name == name), None)


@dataclass(frozen=True)
class ShortJob:
    """The body of show_short_job."""

    job_id: str
    job_type: str | None
    state: str | None
    job_failed_code: str | None
    job_failed_reason: str | None
    create_time: int | None
    lastupdate_time: int | None
    assess_result: AssessResult | None
    raw: Raw = field(repr=False)

    @classmethod
    def from_raw(cls, raw: Raw) -> ShortJob:
        assess = raw.get("assess_result")
        return cls(
            job_id=str(raw.get("job_id", "")),
            job_type=str_field(raw, "job_type"),
            state=str_field(raw, "state"),
            job_failed_code=str_field(raw, "job_failed_code"),
            job_failed_reason=str_field(raw, "job_failed_reason"),
            create_time=int_field(raw, "create_time"),
            lastupdate_time=int_field(raw, "lastupdate_time"),
            assess_result=AssessResult.from_raw(dict_field(raw, "assess_result"))
            if isinstance(assess, Mapping)
            else None,
            raw=raw,
        )

    @property
    def settled(self) -> bool:
        return self.state in SETTLED

    @property
    def succeeded(self) -> bool:
        return self.state == JobState.SUCCEED

    def failure(self) -> str:
        """Why the job did not succeed, in the service's words."""
        code, reason = self.job_failed_code, self.job_failed_reason
        said = ": ".join(part for part in (code, reason) if part)
        return f"{self.state}" + (f" ({said})" if said else "")


class ShortJobTimeout(ReconcilerError):
    """The short job was still running when the wait ran out; it may still finish."""


ShowShortJob = Callable[[str], ShortJob]


def wait_short_job(
    show: ShowShortJob,
    job_id: str,
    *,
    timeout: float,
    poll: float = POLL_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> ShortJob:
    """Show the job until it settles (SUCCEED, FAILED ...); ShortJobTimeout after ``timeout``."""
    deadline = clock() + timeout
    while True:
        job = show(job_id)
        if job.settled:
            return job
        remaining = deadline - clock()
        if remaining <= 0:
            raise ShortJobTimeout(
                f"short job {job_id} was still {job.state or 'running'} after {timeout:g} s"
            )
        sleep(min(poll, remaining))
