"""Test-and-benchmark controls: move jobs, inject faults, read stats, seed jobs.

Used by the ``/_emulator/`` HTTP endpoints (no auth, never faulted, never counted) and by the
``Emulator`` Python API, so both behave identically.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from reconciler.emulator import api_short_jobs, lifecycle, seed
from reconciler.emulator.api_tts import file_status
from reconciler.emulator.core import Core
from reconciler.emulator.errors import ApiError
from reconciler.emulator.faults import FaultPlan
from reconciler.emulator.model import Job
from reconciler.emulator.reviewer import ReviewPending
from reconciler.emulator.wire import Exchange, Response, json_response
from reconciler.timestamps import rfc3339

MAX_ADMIN_BODY = 256 << 20
FAILURE_STATES = ("FAILED", "AUDIT_FAILED")


class AdminError(ValueError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _job(core: Core, job_id: str) -> Job:
    job = core.store.jobs.get(job_id)
    if job is None:
        raise AdminError(404, f"no job {job_id!r}")
    core.settle([job])
    return job


def seed_jobs(core: Core, records: Iterable[Mapping[str, Any]]) -> list[str]:
    with core.lock:
        default_project = core.config.default_project or "emulator-project"
        try:
            jobs = seed.build_jobs(records, default_project, core.store.jobs.keys(), core.now())
        except seed.SeedError as error:
            raise AdminError(400, str(error)) from None
        succeeded = [job for job in jobs if job.state == "SUCCEED"]
        for job in succeeded:
            job.asset_id = core.create_asset(job, job.update_ts, save=False)
        core.store.add_jobs(jobs)
        if succeeded:
            core.store.save_assets()
        for job in jobs:
            core.reviewer.queue(job)  # a job seeded in SYSTEM_AUDITING is reviewed like any
    return [job.job_id for job in jobs]


def advance_job(core: Core, job_id: str, base: str) -> dict[str, Any]:
    with core.lock:
        job = _job(core, job_id)
        try:
            moved = core.step(job)
        except ReviewPending as error:
            raise AdminError(504, str(error)) from None
        if not moved:
            raise AdminError(409, f"job is {job.state}: it does not move on by itself")
        return core.job_info(job, base)


def fail_job(
    core: Core, job_id: str, state: str, reason: str, base: str, code: str = "MSS.00000001"
) -> dict[str, Any]:
    if state not in FAILURE_STATES:
        raise AdminError(400, f"state must be one of {', '.join(FAILURE_STATES)}")
    with core.lock:
        job = _job(core, job_id)
        if state == "AUDIT_FAILED":
            lifecycle.reject(job, core.now(), code, reason, operator="ADMIN")
        else:
            lifecycle.fail(job, core.now(), code, reason)
        core.store.save_jobs([job.job_id])
        return core.job_info(job, base)


def advance_tts(core: Core, tts_id: str, base: str) -> dict[str, Any]:
    with core.lock:
        record = core.store.tts.get(tts_id)
        if record is None:
            raise AdminError(404, f"no TTS job {tts_id!r}")
        record["completed"] = True
        core.store.save_tts()
    return file_status(core, record, base)


def advance_short_job(core: Core, job_id: str) -> dict[str, Any]:
    """A committed short job is analysed now, whatever its time in PROCESSING."""
    job = api_short_jobs.finish_now(core, job_id)
    if job is None:
        raise AdminError(404, f"no short job {job_id!r}")
    return job.info()


def all_jobs(core: Core, base: str) -> list[dict[str, Any]]:
    with core.lock:
        jobs = list(core.store.jobs.values())
        core.settle(jobs)
        jobs.sort(key=lambda job: (job.create_ts, job.job_id))
        return [
            {**core.job_info(job, base), "project_id": job.project_id, "confirmed": job.confirmed}
            for job in jobs
        ]


def advance_clock(core: Core, seconds: float) -> dict[str, Any]:
    """Let ``seconds`` pass in the emulated world (never backwards), once the reviews it
    makes due are done, so that what tests read next does not depend on thread timing."""
    if seconds < 0:
        raise AdminError(400, "the clock only moves forward")
    with core.lock:
        try:
            core.move_clock(seconds)
        except ReviewPending as error:
            raise AdminError(504, str(error)) from None
        return clock(core)


def clock(core: Core) -> dict[str, Any]:
    return {"now": rfc3339(core.now()), "offset_seconds": core.clock_offset}


def stats(core: Core) -> dict[str, Any]:
    return {**core.stats.snapshot(), "faults": core.faults.fired()}


def reset_stats(core: Core) -> dict[str, Any]:
    core.stats.reset()
    core.faults.reset_counts()
    return stats(core)


_JOB_ACTION = re.compile(
    r"^/_emulator/(?P<kind>jobs|tts|short-jobs)/(?P<id>[^/]+)/(?P<action>advance|fail)$"
)


def _route(core: Core, method: str, path: str, data: Any, base: str) -> Any:
    simple: dict[tuple[str, str], Callable[[], Any]] = {
        ("GET", "/_emulator/stats"): lambda: stats(core),
        ("DELETE", "/_emulator/stats"): lambda: reset_stats(core),
        ("GET", "/_emulator/faults"): lambda: core.faults.plan.to_json(),
        ("GET", "/_emulator/jobs"): lambda: {"jobs": all_jobs(core, base)},
        ("GET", "/_emulator/clock"): lambda: clock(core),
    }
    if (method, path) in simple:
        return simple[(method, path)]()
    if (method, path) == ("PUT", "/_emulator/faults"):
        plan = FaultPlan.parse(data if data is not None else {})
        core.faults.set_plan(plan)
        return plan.to_json()
    if (method, path) == ("POST", "/_emulator/clock"):
        seconds = data.get("advance_seconds") if isinstance(data, dict) else None
        if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
            raise AdminError(400, 'expected {"advance_seconds": a number}')
        return advance_clock(core, float(seconds))
    if (method, path) == ("POST", "/_emulator/jobs"):
        if not isinstance(data, list):
            raise AdminError(400, "expected a JSON list of jobs")
        return {"job_ids": seed_jobs(core, data)}
    match = _JOB_ACTION.match(path)
    if method == "POST" and match:
        kind, item, action = match["kind"], match["id"], match["action"]
        if kind == "tts" and action == "advance":
            return advance_tts(core, item, base)
        if kind == "short-jobs" and action == "advance":
            return advance_short_job(core, item)
        if kind == "jobs" and action == "advance":
            return advance_job(core, item, base)
        if kind == "jobs":
            body = data if isinstance(data, dict) else {}
            reason = str(body.get("reason", "failed by the emulator admin"))
            code = str(body.get("code", "MSS.00000001"))
            return fail_job(core, item, str(body.get("state", "FAILED")), reason, base, code)
    raise AdminError(404, f"no admin endpoint {method} {path}")


def handle_admin(core: Core, exchange: Exchange) -> None:
    try:
        body = exchange.read_body(MAX_ADMIN_BODY)
        data = json.loads(body) if body else None
        response = json_response(
            _route(core, exchange.method, exchange.raw_path, data, exchange.base_url)
        )
    except (AdminError, ApiError) as error:
        response = _error(error.status, error.message, exchange.request_id)
    except ValueError as error:  # bad JSON, bad fault plan
        response = _error(400, str(error), exchange.request_id)
    exchange.send(response)


def _error(status: int, message: str, request_id: str) -> Response:
    payload = {"error_code": f"EMULATOR.{status}", "error_msg": message, "request_id": request_id}
    return json_response(payload, status)
