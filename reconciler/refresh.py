"""Observe the remote jobs a plan needs, with as few API calls as possible.

Two ways, whichever costs fewer calls: one show per recorded job and one filtered listing
per voice_name (targeted), or paging through the whole job list, 100 jobs per call, pages
fetched concurrently (instead of one call per resource, which is what makes other tools'
refresh slow on large fleets). What listing costs is known from its first page's count.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType

from reconciler.metastudio import JobState, MetaStudioClient, TrainingJob
from reconciler.metastudio.client import PAGE_LIMIT
from reconciler.metastudio.models import AuditError, JobPage
from reconciler.plan.inputs import Observed, ObservedJob


def observed_job(job: TrainingJob, audit_errors: tuple[str, ...] = ()) -> ObservedJob:
    return ObservedJob(
        job_id=job.job_id,
        voice_name=job.voice_name,
        state=job.state,
        job_type=job.job_type,
        asset_id=job.asset_id,
        create_time=job.create_time,
        failed_reason=job.job_failed_reason,
        audit_errors=audit_errors,
    )


def _rest_of_listing(first: JobPage) -> int:
    """Calls that listing every job costs after its first page."""
    return math.ceil(first.count / PAGE_LIMIT) - 1


class EarlyListing:
    """A refresh begun before all it must observe is known, when listing is sure to be the
    cheaper way.

    Each voice in scope costs at least one targeted lookup (its recorded job, or its
    voice_name), so ``least_lookups`` can be known from the configuration or the state
    alone. When the first page says listing costs no more than that, the remaining pages are
    fetched in the background while the caller reads the rest (the state, the
    configuration). Leaving the context stops the listing at the next job and waits for the
    pages already asked for: on an error nobody reads the result, and no thread outlives
    the run's lock.
    """

    def __init__(
        self, client: MetaStudioClient, least_lookups: int | Callable[[int], bool]
    ) -> None:
        """``least_lookups``: the bound, or whether it is at least a given number (so that
        a large state need be decoded only as far as the first page makes it matter)."""
        self.first: JobPage | None = None
        self.jobs: Future[list[TrainingJob]] | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._stop = threading.Event()
        at_least = (
            least_lookups if callable(least_lookups) else lambda count: least_lookups >= count
        )
        if at_least(2):  # a single lookup is never beaten, so no page is needed
            self.first = first = client.first_job_page()
            if at_least(_rest_of_listing(first)):
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="listing")
                self.jobs = self._pool.submit(self._list, client, first)

    def _list(self, client: MetaStudioClient, first: JobPage) -> list[TrainingJob]:
        jobs: list[TrainingJob] = []
        listing = client.iter_jobs(first=first)
        try:
            for job in listing:
                if self._stop.is_set():
                    break  # closing the listing cancels the pages not yet asked for
                jobs.append(job)
        finally:
            if isinstance(listing, Generator):
                listing.close()
        return jobs

    def __enter__(self) -> EarlyListing:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._pool is not None:
            self._stop.set()
            self._pool.shutdown(wait=True, cancel_futures=True)


def refresh(
    client: MetaStudioClient,
    job_ids: Iterable[str],
    voice_names: Iterable[str],
    *,
    early: EarlyListing | None = None,
) -> Observed:
    """Observe the recorded ``job_ids`` and every job named one of ``voice_names``; ``early``
    is what was fetched before they were known (it must cover at least these voices)."""
    ids, names = sorted(set(job_ids)), sorted(set(voice_names))
    targeted = len(ids) + len(names)  # calls, unless a voice_name has over 100 jobs
    # Any listing costs a call, so one lookup is never beaten; beyond that, the first page
    # of the listing says what the rest would cost, and is not wasted if listing wins.
    first = early.first if early is not None else None
    if first is None and targeted > 1:
        first = client.first_job_page()
    if early is not None and early.jobs is not None:
        jobs = early.jobs.result()
        complete = True
    elif first is not None and _rest_of_listing(first) <= targeted:
        jobs = list(client.iter_jobs(first=first))
        complete = True  # a tie lists too: it also finds jobs no voice records
    else:
        jobs = _targeted(client, ids, names)
        complete = False
    wanted = set(ids)
    observed = [
        observed_job(job, _audit_errors(client, job) if job.job_id in wanted else ())
        for job in jobs
    ]
    return Observed.from_jobs(observed, asked=ids, names_checked=names, complete=complete)


def _targeted(client: MetaStudioClient, ids: list[str], names: list[str]) -> list[TrainingJob]:
    jobs: dict[str, TrainingJob] = {}
    for job_id in ids:
        if (job := client.find_job(job_id)) is not None:
            jobs[job_id] = job
    for name in names:
        for job in client.iter_jobs(voice_name=name):
            jobs.setdefault(job.job_id, job)
    return list(jobs.values())


def _audit_errors(client: MetaStudioClient, job: TrainingJob) -> tuple[str, ...]:
    if job.state not in JobState.NEEDS_USER:
        return ()
    result = client.get_audit_result(job.job_id)
    lines = [_audit_line(e) for e in result.system_errors]
    if result.admin_message:
        lines.append(f"review: {result.admin_message}")
    return tuple(lines)


def _audit_line(error: AuditError) -> str:
    """ "3.wav/3.txt: MSS.20020011 too long", leaving out whatever the service left empty."""
    files = "/".join(name for name in (error.audio_name, error.text_name) if name)
    parts = (f"{files}:" if files else "", error.error_code, error.error_message)
    return " ".join(part for part in parts if part)
