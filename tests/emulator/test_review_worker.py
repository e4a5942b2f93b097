"""The system audit runs on the emulator's review workers, never inside a request.

A slow analysis is injected through the emulator's ``review`` seam (the function that
reviews an upload, ``audit.audit_job`` by default), gated by events: what the tests assert
is ordering (these requests answered while the review was still running), never timing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from reconciler.emulator import Emulator
from reconciler.emulator.audit import Review, audit_job
from reconciler.emulator.checks import error_entry
from reconciler.emulator.model import Job
from reconciler.emulator.store import Store
from reconciler.emulator.tenant import Tenant
from tests.emulator.conftest import config
from tests.emulator.helpers import OTHER_PROJECT, OTHER_TOKEN, USER, Api, put, sentence_zip

WAIT = 30.0  # only ever reached if the emulator is broken


@dataclass
class GatedReview:
    """Reviews like the service; the first ``gated`` reviews wait for ``release``."""

    gated: int = 1
    verdict: Review | None = None  # what a gated review answers (None: the real review)
    entered: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    finished: threading.Event = field(default_factory=threading.Event)
    tickets: list[str | None] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, job: Job, store: Store, tenant: Tenant) -> Review:
        with self._lock:
            self.tickets.append(job.review_ticket)
            gated = len(self.tickets) <= self.gated
        if not gated:
            return audit_job(job, store, tenant)
        self.entered.set()
        assert self.release.wait(WAIT), "the test never released the review"
        try:
            return self.verdict or audit_job(job, store, tenant)
        finally:
            self.finished.set()


@pytest.fixture
def started(tmp_path: Path) -> Iterator[list[tuple[Emulator, GatedReview]]]:
    emulators: list[tuple[Emulator, GatedReview]] = []
    yield emulators
    for emulator, review in emulators:
        review.release.set()  # a failing test must not leave a worker waiting
        emulator.stop()


def _start(
    started: list[tuple[Emulator, GatedReview]],
    data_dir: Path,
    review: GatedReview,
    **overrides: Any,
) -> tuple[Emulator, Api]:
    emulator = Emulator(config(data_dir, **overrides), review=review).start()
    started.append((emulator, review))
    return emulator, Api(emulator.base_url)


def _submit(api: Api, data: bytes | None = None) -> str:
    created = api.create("basic")
    url = created["training_data_uploading_url"]
    assert put(url, data or sentence_zip(20), "application/zip").ok
    assert api.submit(created["job_id"]).status_code == 200
    job_id: str = created["job_id"]
    return job_id


def _reupload_and_submit(api: Api, job_id: str) -> None:
    fresh = api.ok("GET", f"{USER}/jobs/{job_id}/uploading-address-url")
    url = fresh["package_url"]["training_data_uploading_url"]
    assert put(url, sentence_zip(20), "application/zip").ok
    assert api.submit(job_id).status_code == 200


def _other_project_jobs(api: Api) -> requests.Response:
    return api.call(
        "GET",
        f"{USER}/jobs",
        sign=False,
        headers={"X-Auth-Token": OTHER_TOKEN},
        project=OTHER_PROJECT,
    )


def _admin(emu: Emulator, path: str, body: Any = None) -> requests.Response:
    return requests.post(f"{emu.base_url}/_emulator/{path}", json=body, timeout=WAIT)


def _review_threads(port: int) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith(f"metastudio-review-{port}-")]


def test_a_slow_review_blocks_no_request_and_the_job_waits_in_review(
    started: list[tuple[Emulator, GatedReview]], tmp_path: Path
) -> None:
    review = GatedReview()
    emu, api = _start(started, tmp_path / "data", review, review_wait_seconds=0)
    job_id = _submit(api)
    assert review.entered.wait(WAIT)
    # While the review runs: the job reads SYSTEM_AUDITING, lists, other jobs and other
    # projects answer, and new work is accepted.
    assert api.show(job_id)["state"] == "SYSTEM_AUDITING"
    listed = api.ok("GET", f"{USER}/jobs")["jobs"]
    assert [(job["job_id"], job["state"]) for job in listed] == [(job_id, "SYSTEM_AUDITING")]
    assert _other_project_jobs(api).json() == {"count": 0, "jobs": []}
    assert api.create("basic", voice_name="second")["job_id"]
    assert api.ok("GET", f"{USER}/jobs/{job_id}/audit-result") == {}
    assert not review.finished.is_set()
    review.release.set()
    # The explicit step waits for the verdict; then the job moves on.
    assert emu.advance_job(job_id)["state"] == "AUDITING"
    job = api.show(job_id)
    assert job["state"] == "SUCCEED" and "assess_result" in job
    assert review.tickets == [review.tickets[0]] and review.tickets[0]


def test_a_read_waits_for_the_verdict_without_holding_the_lock(
    started: list[tuple[Emulator, GatedReview]], tmp_path: Path
) -> None:
    review = GatedReview()
    _, api = _start(started, tmp_path / "data", review)  # reads wait up to 5 s for a verdict
    job_id = _submit(api)
    assert review.entered.wait(WAIT)
    read: list[dict[str, Any]] = []
    reader = threading.Thread(target=lambda: read.append(Api(api.base_url).show(job_id)))
    reader.start()
    # Requests not about that job take the lock (a create writes the store) and answer.
    assert _other_project_jobs(api).status_code == 200
    assert api.create("basic", voice_name="second")["job_id"]
    assert not review.finished.is_set()
    review.release.set()
    reader.join(WAIT)
    assert read[0]["state"] == "SUCCEED"


def test_an_explicit_step_or_clock_move_waits_and_says_when_the_review_is_late(
    started: list[tuple[Emulator, GatedReview]], tmp_path: Path
) -> None:
    review = GatedReview()
    emu, api = _start(
        started,
        tmp_path / "data",
        review,
        seconds_per_state=3600.0,
        review_timeout_seconds=0.1,
    )
    job_id = _submit(api)
    assert review.entered.wait(WAIT)
    step = _admin(emu, f"jobs/{job_id}/advance")
    assert step.status_code == 504
    assert f"the system audit of job {job_id} has not finished" in step.json()["error_msg"]
    clock = _admin(emu, "clock", {"advance_seconds": 86400})
    assert clock.status_code == 504
    assert requests.get(f"{emu.base_url}/_emulator/clock", timeout=WAIT).json()[
        "offset_seconds"
    ] == (0.0)
    assert api.show(job_id)["state"] == "SYSTEM_AUDITING"
    review.release.set()
    assert emu.await_reviews(WAIT)
    assert _admin(emu, f"jobs/{job_id}/advance").json()["state"] == "AUDITING"
    assert _admin(emu, "clock", {"advance_seconds": 86400}).status_code == 200
    assert api.show(job_id)["state"] == "SUCCEED"


def test_a_resubmit_after_audit_failed_gets_a_fresh_review(
    started: list[tuple[Emulator, GatedReview]], tmp_path: Path
) -> None:
    review = GatedReview(gated=0)
    _, api = _start(started, tmp_path / "data", review)
    job_id = _submit(api, sentence_zip(20, _0_txt=b""))
    assert api.show(job_id)["state"] == "AUDIT_FAILED"
    _reupload_and_submit(api, job_id)
    job = api.show(job_id)
    assert job["state"] == "SUCCEED" and job["reject_times"] == 1
    assert len(review.tickets) == 2 and len(set(review.tickets)) == 2


def test_a_verdict_on_an_earlier_upload_is_dropped(
    started: list[tuple[Emulator, GatedReview]], tmp_path: Path
) -> None:
    stale = Review(errors=[error_entry("0.wav", "0.txt", "stale verdict", "MSS.20020011")])
    review = GatedReview(verdict=stale)
    emu, api = _start(started, tmp_path / "data", review, seconds_per_state=-1)
    job_id = _submit(api)
    assert review.entered.wait(WAIT)
    # An admin rejects the job meanwhile; the user uploads again and resubmits.
    assert emu.fail_job(job_id, "AUDIT_FAILED", "voice does not match")["reject_times"] == 1
    _reupload_and_submit(api, job_id)
    review.release.set()
    assert review.finished.wait(WAIT)
    assert emu.advance_job(job_id)["state"] == "AUDITING"  # the second review's verdict
    errors = api.ok("GET", f"{USER}/jobs/{job_id}/audit-result")["system_audit_result"]
    assert errors["errors"] == []
    job = api.show(job_id)
    assert job["reject_times"] == 1 and len(set(review.tickets)) == 2


def test_stop_joins_the_workers_and_a_restart_reviews_what_was_left(
    started: list[tuple[Emulator, GatedReview]], tmp_path: Path
) -> None:
    review = GatedReview()
    emu, api = _start(started, tmp_path / "data", review, seconds_per_state=-1)
    port = int(emu.base_url.rsplit(":", 1)[1])
    assert len(_review_threads(port)) == 2
    job_id = _submit(api)
    assert review.entered.wait(WAIT)
    stopper = threading.Thread(target=emu.stop)
    stopper.start()
    assert emu.core.stopping.wait(WAIT)
    review.release.set()  # this verdict comes too late to be recorded
    stopper.join(WAIT)
    assert not stopper.is_alive() and not _review_threads(port)

    again = GatedReview(gated=0)
    emu2, api2 = _start(started, tmp_path / "data", again, seconds_per_state=-1)
    assert api2.show(job_id)["state"] == "SYSTEM_AUDITING"
    assert emu2.advance_job(job_id)["state"] == "AUDITING"
    assert again.tickets == review.tickets  # the same submission, reviewed once more
    emu2.stop()

    # A recorded verdict is kept: the next start reviews nothing.
    third = GatedReview(gated=0)
    emu3, api3 = _start(started, tmp_path / "data", third, seconds_per_state=-1)
    assert api3.show(job_id)["state"] == "AUDITING"
    assert emu3.advance_job(job_id)["state"] == "WAITING" and third.tickets == []


def test_a_review_that_raises_is_an_emulator_bug_shown_where_its_verdict_is_needed(
    started: list[tuple[Emulator, GatedReview]], tmp_path: Path
) -> None:
    class Broken(GatedReview):
        def __call__(self, job: Job, store: Store, tenant: Tenant) -> Review:
            raise RuntimeError("analysis crashed")

    _, api = _start(started, tmp_path / "data", Broken())
    job_id = _submit(api)
    response = api.call("GET", f"{USER}/jobs/{job_id}")
    assert response.status_code == 500
    assert _other_project_jobs(api).status_code == 200
