"""The emulator's shared state and the operations every API module needs.

One re-entrant lock guards the store: requests are short, and a single lock makes every
mutation plus its write to disk atomic with respect to the other request threads. The one
long piece of work, the system audit, runs on the reviewer's threads without the lock.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from reconciler.emulator import keys, lifecycle, listing
from reconciler.emulator.agency import AgencyKeys
from reconciler.emulator.audit import audit_job
from reconciler.emulator.config import EmulatorConfig
from reconciler.emulator.errors import unknown_job
from reconciler.emulator.faults import FaultInjector
from reconciler.emulator.model import Job
from reconciler.emulator.presign import UrlSigner
from reconciler.emulator.reviewer import REVIEWING, Reviewer, ReviewFunction, ReviewPending
from reconciler.emulator.stats import Stats
from reconciler.emulator.store import Store
from reconciler.emulator.wire import Request, Response
from reconciler.timestamps import rfc3339


class Core:
    def __init__(self, config: EmulatorConfig, review: ReviewFunction = audit_job) -> None:
        self.config = config
        self.store = Store(config.data_dir)
        self.listings = listing.ListingCache()
        self.signer = UrlSigner(self.store.url_secret)
        self.stats = Stats()
        self.faults = FaultInjector(config.faults, config.seed)
        self.agency = AgencyKeys()  # temporary keys the metadata service issued
        self.lock = threading.RLock()
        self.stopping = threading.Event()
        workers = config.review_workers
        self.reviewer = Reviewer(
            self.lock, self.store, config.tenant, review, workers, self.stopping
        )
        # Short jobs whose sample is being analysed, outside the lock (api_short_jobs);
        # notified when one is recorded.
        self.assessing: set[str] = set()
        self.assessed = threading.Condition(self.lock)
        self._inflight = 0
        self._idle = threading.Condition()
        # The emulated world's time runs this far ahead of the wall clock (admin "clock"):
        # tests move it forward to let days pass (training, the recycle bin's window).
        self.clock_offset = 0.0

    def now(self) -> float:
        return time.time() + self.clock_offset

    def wall_time(self) -> float:
        """The real time, for what the client's clock is compared with (X-Sdk-Date): the
        client cannot follow the emulator's clock forward."""
        return time.time()

    @contextmanager
    def request_scope(self) -> Iterator[None]:
        with self._idle:
            self._inflight += 1
        try:
            yield
        finally:
            with self._idle:
                self._inflight -= 1
                self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: self._inflight == 0, timeout)

    # Jobs -------------------------------------------------------------------------------

    def job(self, project_id: str, job_id: str) -> Job:
        """The job as of now (due transitions applied); callers hold the lock, which is
        released for a moment if the job's review verdict is due (see ``settle``)."""
        job = self.store.jobs.get(job_id)
        if job is None or job.project_id != project_id:
            raise unknown_job(job_id)
        self.settle([job])
        return job

    def project_jobs(self, project_id: str) -> list[Job]:
        jobs = [job for job in self.store.jobs.values() if job.project_id == project_id]
        self.settle(jobs)
        return jobs

    def settle(self, jobs: Iterable[Job], *, wait: bool = True) -> None:
        """Apply time-based transitions and persist the jobs that moved. A job due to leave
        SYSTEM_AUDITING whose review is under way is waited for a little (``wait``, the
        lock released meanwhile); if the review goes on, the job stays in review."""
        jobs = list(jobs)
        per_state = self.config.seconds_per_state
        if wait and per_state >= 0:
            now = self.now()
            due = [job for job in jobs if self._awaits_review(job, now)]
            if due:  # still in review after the wait: SYSTEM_AUDITING, as the service says
                self.reviewer.wait(due, self.config.review_wait_seconds)
            jobs = [job for job in jobs if self.store.jobs.get(job.job_id) is job]
        now = self.now()
        moved = [
            job.job_id
            for job in jobs
            if lifecycle.advance_due(job, now, per_state, self.audit, self.publish)
        ]
        if moved:
            self.store.save_jobs(moved)

    def _awaits_review(self, job: Job, now: float) -> bool:
        per_state = self.config.seconds_per_state
        return (
            per_state >= 0
            and job.state == REVIEWING
            and now >= job.state_since + per_state
            and self.reviewer.pending(job)
        )

    def step(self, job: Job) -> bool:
        """Move the job one state by hand. A review under way is waited for, the lock
        released meanwhile (ReviewPending after ``review_timeout_seconds``), never run here."""
        timeout = self.config.review_timeout_seconds
        if self.reviewer.pending(job) and not self.reviewer.wait([job], timeout):
            raise ReviewPending(job.job_id, timeout)
        moved = lifecycle.step(job, self.now(), self.audit, self.publish)
        if moved:
            self.store.save_jobs([job.job_id])
        return moved

    def await_reviews(self, timeout: float) -> bool:
        """Wait until no job awaits its verdict; False if some still does after ``timeout``."""
        with self.lock:
            return self.reviewer.wait_for(
                lambda: not any(self.reviewer.pending(job) for job in self.store.jobs.values()),
                timeout,
            )

    def move_clock(self, seconds: float) -> None:
        """Let ``seconds`` pass in the emulated world once every review the new time makes
        due has its verdict (ReviewPending, and the clock unmoved, if one takes too long)."""
        timeout = self.config.review_timeout_seconds

        def due_unreviewed() -> list[Job]:
            at = self.now() + seconds
            return [job for job in self.store.jobs.values() if self._awaits_review(job, at)]

        if due_unreviewed() and not self.reviewer.wait_for(lambda: not due_unreviewed(), timeout):
            raise ReviewPending(due_unreviewed()[0].job_id, timeout)
        self.clock_offset += seconds

    def audit(self, job: Job) -> list[dict[str, str]] | None:
        """The review's errors on the job's submitted data (and its assess_result recorded);
        None while the reviewer has not finished it."""
        verdict = self.reviewer.verdict(job)
        if verdict is None:
            return None
        job.assess = verdict["assess"]
        return list(verdict["errors"])

    def publish(self, job: Job, at: float) -> str | None:
        """The trained model's new asset, or None if the project has a live asset of its
        name (MSS.10001005). An asset in the recycle bin no longer holds its name [inferred:
        the service does not document it; delete with ``mode=force`` if it does]."""
        name = job.attrs.get("voice_name", "")
        if self.name_holder(job.project_id, name, besides=job.asset_id) is not None:
            return None
        return self.create_asset(job, at)

    def name_holder(self, project_id: str, name: str, *, besides: str | None) -> str | None:
        """The live asset of the project that holds ``name``, other than ``besides``: asset
        names are unique among live assets (MSS.10001005); one in the recycle bin holds none."""
        for asset in self.store.assets.values():
            if (
                asset["asset_name"] == name
                and asset["project_id"] == project_id
                and asset["asset_state"] != "DELETED"
                and asset["asset_id"] != besides
            ):
                return str(asset["asset_id"])
        return None

    def create_asset(self, job: Job, at: float, *, save: bool = True) -> str:
        asset_id = job.asset_id or str(uuid.uuid4())
        self.store.assets[asset_id] = {
            "asset_id": asset_id,
            "project_id": job.project_id,
            "asset_name": job.attrs.get("voice_name", ""),
            "asset_description": job.attrs.get("description", ""),
            "asset_type": "VOICE_MODEL",
            "asset_state": "ACTIVED",
            "create_time": rfc3339(at),
            "update_time": rfc3339(at),
            "tags": [],
            "asset_extra_meta": {
                "voice_model_meta": {
                    "sex": job.attrs.get("sex", "UNKNOW"),
                    "language": job.attrs.get("language", "CN"),
                    "job_id": job.job_id,
                }
            },
        }
        if save:
            self.store.save_assets()
        return asset_id

    # Presigned URLs ---------------------------------------------------------------------

    def expires(self) -> int:
        return int(self.now() + self.config.url_ttl_seconds)

    def object_url(self, base: str, job_id: str, key: str, method: str = "PUT") -> str:
        bound = keys.bound_type(key) if method == "PUT" else keys.ANY_TYPE
        path = f"/_obs/{job_id}/{key}"
        return self.signer.url(base, method, path, bound, self.expires())

    def job_info(self, job: Job, base: str) -> dict[str, Any]:
        info = job.info()
        if keys.LETTER_KEY in job.objects:
            info["voice_authorization_url"] = self.object_url(
                base, job.job_id, keys.LETTER_KEY, "GET"
            )
        if keys.PACKAGE_KEY in job.objects:
            info["training_input_source_url"] = self.object_url(
                base, job.job_id, keys.PACKAGE_KEY, "GET"
            )
        return info


Handler = Callable[[Core, Request], Response]
