"""Short jobs (op 18): create a VOICE_ASSESS job, upload its zip, commit it, show the verdict.

The sample is judged by the emulator's own sound code (``checks``, ``sound``) and its
``assess_result`` built by ``assess.assess_result``, the function that fills a training
job's; the client's preflight is never consulted. Auth, faults and error shapes come from
the dispatcher, as for every /v1 route.
"""

from __future__ import annotations

import uuid
import zipfile
import zlib
from pathlib import PurePosixPath
from typing import BinaryIO, cast

from reconciler.emulator import assess, keys, params, short_jobs
from reconciler.emulator.checks import (
    AUDIO_FORMAT,
    DURATION,
    FILE_COUNT,
    FILE_TYPES,
    NOT_A_ZIP,
    SILENT,
    check_audio,
)
from reconciler.emulator.core import Core
from reconciler.emulator.errors import invalid_parameter, unknown_job
from reconciler.emulator.model import LANGUAGES
from reconciler.emulator.short_jobs import SHORT_JOB_TYPES, Analyse, Outcome, ShortJob
from reconciler.emulator.sound import Measures
from reconciler.emulator.tenant import Tenant
from reconciler.emulator.wire import Request, Response, json_response

_UNREADABLE = (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError, zlib.error)


def _choice(body: dict[str, object], name: str, allowed: tuple[str, ...], *, required: bool) -> str:
    value = body.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or value not in allowed:
        raise invalid_parameter(name, f"must be one of {', '.join(allowed)}, got {value!r}")
    return value


def create_short_job(core: Core, request: Request) -> Response:
    body = params.json_body(request, required=True) or {}
    job_type = _choice(body, "job_type", SHORT_JOB_TYPES, required=True)
    language = _choice(body, "language", LANGUAGES, required=False) or None
    now = core.now()
    job = ShortJob(
        job_id=str(uuid.uuid4()),
        project_id=request.project_id,
        job_type=job_type,
        state="CREATING",
        create_ts=now,
        update_ts=now,
        state_since=now,
        language=language,
        app_user_id=params.app_user_id(request),
    )
    with core.lock:
        core.store.short_jobs[job.job_id] = job
        core.store.save_short_jobs()
    url = core.object_url(request.base_url, job.job_id, keys.ASSESS_KEY)
    return json_response({"job_id": job.job_id, "data_uploading_url": url})


def _job(core: Core, request: Request) -> ShortJob:
    """The project's short job as of now, its due transition applied. Called without the
    lock: the sample is analysed outside it (the speech models take a second or more, and
    every other caller would wait), which is safe because a committed sample never changes
    (uploads are taken only while CREATING) and the outcome is recorded under the lock only
    if the job is still processing."""
    job_id = request.params["job_id"]
    with core.lock:
        job = core.store.short_jobs.get(job_id)
        if job is None or job.project_id != request.project_id:
            raise unknown_job(job_id)
        due = short_jobs.due_at(job, core.now(), core.config.seconds_per_state)
    if due is not None:
        _finish(core, job, due)
    return job


def _finish(core: Core, job: ShortJob, at: float) -> None:
    """Analyse the sample and record the outcome; a read that finds the analysis under way
    goes on (the job is still PROCESSING, as the service would show it)."""
    with core.lock:
        if job.job_id in core.assessing or job.state != "PROCESSING":
            return
        core.assessing.add(job.job_id)
    outcome: Outcome | None = None
    try:
        outcome = analyser(core)(job)  # without the lock
    finally:
        with core.lock:  # recorded and released at once: no second analysis starts between
            if outcome is not None and short_jobs.finish(job, at, outcome):
                core.store.save_short_jobs()
            core.assessing.discard(job.job_id)
            core.assessed.notify_all()


def commit_short_job(core: Core, request: Request) -> Response:
    job = _job(core, request)
    with core.lock:
        short_jobs.commit(job, core.now(), uploaded=keys.ASSESS_KEY in job.objects)
        core.store.save_short_jobs()
    return json_response({})


def show_short_job(core: Core, request: Request) -> Response:
    job = _job(core, request)
    with core.lock:
        return json_response(job.info())


def finish_now(core: Core, job_id: str) -> ShortJob | None:
    """The admin's advance: a PROCESSING short job is analysed at once. None: no such job."""
    with core.lock:
        job = core.store.short_jobs.get(job_id)
        processing = job is not None and job.state == "PROCESSING"
    if job is not None and processing:
        _finish(core, job, core.now())
        with core.lock:  # another read's analysis may still be under way: the admin waits
            while job.job_id in core.assessing:
                core.assessed.wait()
    return job


def analyser(core: Core) -> Analyse:
    def analyse(job: ShortJob) -> Outcome:
        path = core.store.object_path(job.job_id, keys.ASSESS_KEY)
        try:
            with zipfile.ZipFile(path) as archive:
                return assess_archive(archive, core.config.tenant)
        except (zipfile.BadZipFile, OSError):
            return NOT_A_ZIP, "the sample is not a valid zip archive"

    return analyse


def assess_archive(archive: zipfile.ZipFile, tenant: Tenant) -> Outcome:
    members = [info for info in archive.infolist() if not info.is_dir()]
    for info in members:
        parts = PurePosixPath(info.filename).parts
        if not info.filename.lower().endswith(".wav") or any(p.startswith(".") for p in parts):
            return FILE_TYPES, f"{info.filename}: only .wav recordings belong in the sample"
    if not members:
        return FILE_COUNT, "the sample holds no WAV file"
    measures: list[Measures] = []
    for info in members:
        try:
            with archive.open(info) as stream:
                checked = check_audio(cast(BinaryIO, stream), sentence=False)
        except _UNREADABLE as error:
            return AUDIO_FORMAT, f"{info.filename}: cannot be read from the sample: {error}"
        if checked.measures is None:
            return AUDIO_FORMAT, f"{info.filename}: {checked.problems[0][1]}"
        measures.append(checked.measures)
    low, high = tenant.durations["short_assess_min"], tenant.durations["short_assess_max"]
    total = sum(m.seconds for m in measures)
    if not low <= total <= high:
        # The service documents no code for a sample outside short_assess_min/max; this is
        # the emulator's own code for audio outside the tenant's duration range (checks.py).
        message = (
            f"the sample lasts {total:.1f} s; this tenant's short assessment takes "
            f"{low} to {high} s (tenant-duration-cfg short_assess_min/max)"
        )
        return DURATION, message
    result = assess.assess_result(measures)
    if result is None:
        return SILENT, "no speech found: the sample is silent"
    return result
