"""Training-job operations: create (ops 1-4), list, show, submit, delete, op-logs, audit result."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from reconciler.emulator import keys, lifecycle, listing, params, resources, validation
from reconciler.emulator.api_uploads import upload_urls
from reconciler.emulator.core import Core, Handler
from reconciler.emulator.errors import invalid_parameter
from reconciler.emulator.model import UPLOADABLE_STATES, Job
from reconciler.emulator.wire import Request, Response, json_response


def create_handler(job_type: str) -> Handler:
    def create_job(core: Core, request: Request) -> Response:
        body = params.json_body(request, required=True) or {}
        create_type, attrs = validation.create_fields(body, job_type)
        app_user_id = params.app_user_id(request)
        if app_user_id:
            attrs["app_user_id"] = app_user_id
        now = core.now()
        job = Job(
            job_id=str(uuid.uuid4()),
            project_id=request.project_id,
            job_type=job_type,
            create_type=create_type,
            attrs=attrs,
            state="CREATING",
            create_ts=now,
            update_ts=now,
            state_since=now,
        )
        lifecycle.log(job, now, "CREATE_JOB", "USER")
        with core.lock:
            core.store.add_jobs([job])
        urls = upload_urls(core, job, request.base_url)
        return json_response(
            {
                "job_id": job.job_id,
                "training_data_uploading_url": urls["package"],
                "segment_uploading_url": {
                    "audio_uploading_url": urls["audio"],
                    "txt_uploading_url": urls["text"],
                },
                "authorization_letter_uploading_url": urls["letter"],
            }
        )

    return create_job


def list_jobs(core: Core, request: Request) -> Response:
    query = listing.parse(request)
    with core.lock:
        known: Iterable[Job]
        if core.config.seconds_per_state < 0:
            # Jobs move only when written (which invalidates cached listings), so a page of a
            # cached listing needs no look at every job: that made paging quadratic.
            known = (
                job for job in core.store.jobs.values() if job.project_id == request.project_id
            )
        else:
            known = core.project_jobs(request.project_id)  # settles time-based moves first
        total, page = core.listings.select(request.project_id, known, query, core.store.generation)
        infos = [core.job_info(job, request.base_url) for job in page]
    return json_response({"count": total, "jobs": infos})


def show_job(core: Core, request: Request) -> Response:
    with core.lock:
        job = core.job(request.project_id, request.params["job_id"])
        return json_response(core.job_info(job, request.base_url))


def has_training_data(job: Job) -> bool:
    if job.create_type == "SEGMENT":
        return any(key.startswith(keys.SEGMENT_PREFIX) for key in job.objects)
    return keys.PACKAGE_KEY in job.objects


def commit_job(core: Core, request: Request) -> Response:
    amendments = validation.commit_fields(params.json_body(request, required=False))
    with core.lock:
        job = core.job(request.project_id, request.params["job_id"])
        if job.state in UPLOADABLE_STATES and not has_training_data(job):
            what = "segment" if job.create_type == "SEGMENT" else "package"
            raise invalid_parameter(
                "job_id", f"has no training data uploaded ({what}); upload it before submitting"
            )
        if job.state in UPLOADABLE_STATES:  # else submit refuses the state itself
            resources.consume(core, job)
        lifecycle.submit(job, core.now(), amendments)
        core.store.save_jobs([job.job_id])
        core.reviewer.queue(job)  # reviewed off the request path; the job waits in review
    return json_response({})


def delete_job(core: Core, request: Request) -> Response:
    with core.lock:
        job = core.job(request.project_id, request.params["job_id"])
        resources.release_if_rejected(core, job)
        core.store.remove_job(job.job_id)
    return json_response({})


def list_op_logs(core: Core, request: Request) -> Response:
    offset = params.int_param(request, "offset", 0, 0, listing.MAX_OFFSET)
    limit = params.int_param(request, "limit", 10, 1, 100)
    with core.lock:
        job = core.job(request.project_id, request.params["job_id"])
        operations = job.oplogs[offset : offset + limit]
        return json_response({"count": len(job.oplogs), "operations": operations})


def show_audit_result(core: Core, request: Request) -> Response:
    with core.lock:
        job = core.job(request.project_id, request.params["job_id"])
        result = {}
        # Each part appears once that review has happened; before that the service has none.
        if job.system_audit is not None:
            result["system_audit_result"] = job.system_audit
        if job.admin_audit is not None:
            result["admin_audit_result"] = job.admin_audit
        return json_response(result)
