"""The system audit, run off the request path, as the service runs it.

A submit puts a job in SYSTEM_AUDITING and queues its review here. A worker thread copies
what the review reads from the job under the core lock, analyses the upload without the lock
(the speech models take seconds per dataset: a request doing it would outlive the client's
read timeout and stall every other caller), and records the verdict on the job under the
lock. The job leaves SYSTEM_AUDITING only once its verdict is recorded (``Core.audit``).

A verdict is keyed to the submission it reviewed (``Job.review_ticket``, new on every submit):
one that finishes after the job was rejected, resubmitted or deleted is dropped. Verdicts are
persisted with the job; a job found in SYSTEM_AUDITING without one is queued again on start.
"""

from __future__ import annotations

import dataclasses
import logging
import queue
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from reconciler.emulator.audit import Review
from reconciler.emulator.model import Job
from reconciler.emulator.store import Store
from reconciler.emulator.tenant import Tenant

REVIEWING = "SYSTEM_AUDITING"
# What reviews a job's upload: ``audit.audit_job``'s signature (tests pass slower ones).
ReviewFunction = Callable[[Job, Store, Tenant], Review]
Verdict = dict[str, Any]  # {"ticket", "errors", "assess"}: JSON, persisted with the job
_Key = tuple[str, str | None]  # (job_id, review_ticket)
log = logging.getLogger(__name__)


class ReviewFailed(RuntimeError):
    """The analysis raised: an emulator bug, surfaced where the verdict is needed."""


class ReviewPending(Exception):
    """An explicit step or clock move waited for a review longer than it may."""

    def __init__(self, job_id: str, timeout: float) -> None:
        super().__init__(
            f"the system audit of job {job_id} has not finished after {timeout:g} s "
            "(review_timeout_seconds); ask again once it has"
        )


def ticket_of(verdict: Verdict | None) -> object:
    return None if verdict is None else verdict.get("ticket", "")


class Reviewer:
    def __init__(
        self,
        lock: threading.RLock,
        store: Store,
        tenant: Tenant,
        review: ReviewFunction,
        workers: int,
        stopping: threading.Event,
    ) -> None:
        """``stopping`` is the emulator's: once it is set no verdict is recorded (so one
        finishing during shutdown is reviewed again on the next start)."""
        self.store = store
        self.tenant = tenant
        self._review = review
        self._workers = max(1, workers)
        # Notified whenever a verdict is recorded or the reviewer stops; waiting on it
        # releases the core lock however deeply the waiter holds it.
        self.done = threading.Condition(lock)
        self._queue: queue.SimpleQueue[_Key | None] = queue.SimpleQueue()
        self._queued: set[_Key] = set()
        self._failures: dict[_Key, str] = {}
        self._threads: list[threading.Thread] = []
        self._stopping = stopping

    # Life -------------------------------------------------------------------------------

    def start(self, name: str) -> None:
        with self.done:
            if self._threads:
                return
            self._threads = [
                threading.Thread(target=self._work, name=f"{name}-{n}", daemon=True)
                for n in range(self._workers)
            ]
            for thread in self._threads:
                thread.start()
            # Reviews that never finished before the last stop (or seeded jobs) start again.
            for job in self.store.jobs.values():
                self.queue(job)

    def stop(self, timeout: float) -> None:
        """Stop taking reviews, wake everyone waiting for one, and join the workers. A
        review under way is finished but not recorded: the next start queues it again."""
        with self.done:
            self._stopping.set()
            threads, self._threads = self._threads, []
            self.done.notify_all()
        for _ in threads:
            self._queue.put(None)
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
            if thread.is_alive():
                log.warning("review worker %s still running after %g s", thread.name, timeout)
        with self.done:
            # What is left in the queue is queued again, from the jobs, by the next start.
            self._queue, self._queued = queue.SimpleQueue(), set()

    @property
    def running(self) -> bool:
        return bool(self._threads) and not self._stopping.is_set()

    # What the core asks; callers hold the lock ------------------------------------------

    def queue(self, job: Job) -> None:
        """Queue the review of ``job``'s current submission unless it is done or queued."""
        key = (job.job_id, job.review_ticket)
        if not self.pending(job) or key in self._queued:
            return
        self._queued.add(key)
        self._queue.put(key)

    def pending(self, job: Job) -> bool:
        """The job (still in the store) waits in SYSTEM_AUDITING for a verdict."""
        return (
            job.state == REVIEWING
            and self.store.jobs.get(job.job_id) is job
            and ticket_of(job.review) != job.review_ticket
            and (job.job_id, job.review_ticket) not in self._failures
        )

    def verdict(self, job: Job) -> Verdict | None:
        """The verdict on the job's current submission; None while it is being reviewed."""
        failure = self._failures.get((job.job_id, job.review_ticket))
        if failure is not None:
            raise ReviewFailed(f"the system audit of job {job.job_id} failed: {failure}")
        if job.review is not None and ticket_of(job.review) == job.review_ticket:
            return job.review
        return None

    def wait(self, jobs: Iterable[Job], timeout: float) -> bool:
        """Wait (the lock released) until none of ``jobs`` awaits its verdict; False when
        some still does after ``timeout`` s, or the reviewer is not running."""
        waiting = list(jobs)
        self.done.wait_for(
            lambda: not self.running or not any(self.pending(job) for job in waiting), timeout
        )
        return not any(self.pending(job) for job in waiting)

    def wait_for(self, ready: Callable[[], bool], timeout: float) -> bool:
        """``Condition.wait_for`` that also gives up when the reviewer stops."""
        self.done.wait_for(lambda: not self.running or ready(), timeout)
        return ready()

    # The workers -------------------------------------------------------------------------

    def _work(self) -> None:
        while (key := self._queue.get()) is not None:
            with self.done:
                self._queued.discard(key)
                job = self.store.jobs.get(key[0])
                if self._stopping.is_set() or job is None or not self._current(job, key):
                    continue
                # The review reads the job's fields; the files it names cannot change while
                # the job is in review (uploads are refused), only vanish with a delete.
                copy = dataclasses.replace(
                    job,
                    attrs=dict(job.attrs),
                    objects={name: dict(meta) for name, meta in job.objects.items()},
                    confirmed=list(job.confirmed),
                    oplogs=[],
                )
            self._record(key, *self._analyse(copy))

    def _analyse(self, job: Job) -> tuple[Verdict | None, str | None]:
        try:
            review = self._review(job, self.store, self.tenant)
            assess = review.assess_result()
        except Exception as error:  # recorded below if the job still awaits it
            log.debug("the review of job %s raised", job.job_id, exc_info=True)
            return None, f"{type(error).__name__}: {error}"
        return {"ticket": job.review_ticket, "errors": review.errors, "assess": assess}, None

    def _record(self, key: _Key, verdict: Verdict | None, failure: str | None) -> None:
        with self.done:
            job = self.store.jobs.get(key[0])
            if not self._stopping.is_set() and job is not None and self._current(job, key):
                if verdict is not None:
                    job.review = verdict
                    self.store.save_jobs([job.job_id])
                else:
                    log.error("the system audit of job %s failed: %s", key[0], failure)
                    self._failures[key] = failure or "unknown error"
            self.done.notify_all()

    def _current(self, job: Job, key: _Key) -> bool:
        return self.pending(job) and job.review_ticket == key[1]
