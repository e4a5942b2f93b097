"""Upload addresses and online-recording confirmation (ops 10, 12, 13, 14).

Confirming a sentence answers at once whether its recording and text are usable: the
service's answer (``confirm_result``, ``unmatched_index_hit``: "text index that does not
match the speech") is a per-sentence verdict in the response, so the service judges the one
sentence within the request. The emulator does the same with the review's per-file rules,
bounded to one sentence: a recording whose header says it is longer than a sentence may be
is refused from the header alone, and the analysis runs without the core lock.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import soundfile

from reconciler.emulator import keys, params
from reconciler.emulator.audit import Errors, audit_segment
from reconciler.emulator.checks import MAX_SENTENCE_SECONDS, TOO_LONG, error_entry
from reconciler.emulator.core import Core
from reconciler.emulator.errors import invalid_parameter
from reconciler.emulator.model import UPLOADABLE_STATES, Job
from reconciler.emulator.wire import Request, Response, json_response

MAX_INDEX = 1024
MAX_ATTACHMENTS = 100


def upload_urls(core: Core, job: Job, base: str) -> dict[str, Any]:
    """Fresh presigned URLs; segment arrays stay empty for long-recording editions."""
    count = job.sentences
    return {
        "package": core.object_url(base, job.job_id, keys.PACKAGE_KEY),
        "audio": [core.object_url(base, job.job_id, keys.audio_key(i)) for i in range(count)],
        "text": [core.object_url(base, job.job_id, keys.text_key(i)) for i in range(count)],
        "letter": core.object_url(base, job.job_id, keys.LETTER_KEY),
    }


def show_uploading_address(core: Core, request: Request) -> Response:
    with core.lock:
        job = core.job(request.project_id, request.params["job_id"])
    urls = upload_urls(core, job, request.base_url)
    return json_response(
        {
            "segment_url": {
                "audio_uploading_url": urls["audio"],
                "txt_uploading_url": urls["text"],
            },
            "package_url": {"training_data_uploading_url": urls["package"]},
            "authorization_letter_uploading_url": urls["letter"],
        }
    )


def show_review_attachment_address(core: Core, request: Request) -> Response:
    start = params.int_param(request, "start_number", None, 0, MAX_INDEX)
    end = params.int_param(request, "end_number", None, 0, MAX_INDEX)
    if end < start or end - start >= MAX_ATTACHMENTS:
        raise invalid_parameter(
            "end_number", f"must be >= start_number and span at most {MAX_ATTACHMENTS} numbers"
        )
    with core.lock:
        job = core.job(request.project_id, request.params["job_id"])
    addresses = [
        {
            "number": n,
            "uploading_url": core.object_url(request.base_url, job.job_id, keys.review_key(n)),
        }
        for n in range(start, end + 1)
    ]
    return json_response({"addresses": addresses})


def _segment_job(core: Core, request: Request) -> Job:
    job_id = request.query_one("job_id")
    if not job_id:
        raise invalid_parameter("job_id", "is required")
    job = core.job(request.project_id, job_id)
    if job.create_type != "SEGMENT":
        raise invalid_parameter("job_id", f"job was created with create_type {job.create_type}")
    return job


def confirm_segment(core: Core, request: Request) -> Response:
    index = params.int_param(request, "index", None, 0, MAX_INDEX)
    with core.lock:
        job = _segment_job(core, request)
        if job.state not in UPLOADABLE_STATES:
            raise invalid_parameter("job_id", f"job is in state {job.state}; nothing to confirm")
        if index >= job.sentences:
            raise invalid_parameter("index", f"must be below {job.sentences} for {job.job_type}")
        if keys.audio_key(index) not in job.objects or keys.text_key(index) not in job.objects:
            raise invalid_parameter("index", f"sentence {index} has no audio and text uploaded")
        uploaded = _sentence_objects(job, index)
        copy = dataclasses.replace(job, objects=dict(job.objects), oplogs=[])
    problems = _sentence_problems(core, copy, index)
    with core.lock:
        current = core.store.jobs.get(copy.job_id)
        # A sentence uploaded again meanwhile (or a job gone) is not the one judged.
        confirmed = (
            not problems
            and current is not None
            and current.state in UPLOADABLE_STATES
            and _sentence_objects(current, index) == uploaded
        )
        if current is not None and confirmed and index not in current.confirmed:
            current.confirmed = sorted({*current.confirmed, index})
            core.store.save_jobs([current.job_id])
    return json_response(
        {"confirm_result": confirmed, "unmatched_index_hit": [] if confirmed else [index]}
    )


def _sentence_objects(job: Job, index: int) -> list[Any]:
    return [job.objects.get(key) for key in (keys.audio_key(index), keys.text_key(index))]


def _sentence_problems(core: Core, job: Job, index: int) -> Errors:
    path = core.store.object_path(job.job_id, keys.audio_key(index))
    try:
        seconds = soundfile.info(str(path)).duration
    except (RuntimeError, OSError, ValueError):
        seconds = 0.0  # not a readable WAV: the review's format rule says so at once
    if seconds > MAX_SENTENCE_SECONDS:
        message = (
            f"sentence audio lasts {seconds:.1f} s, over the {MAX_SENTENCE_SECONDS:.0f} s limit"
        )
        return [error_entry(f"{index}.wav", f"{index}.txt", message, TOO_LONG)]
    return audit_segment(job, core.store, index, need_confirmed=False)


def show_segment_info(core: Core, request: Request) -> Response:
    with core.lock:
        job = _segment_job(core, request)
        confirmed = list(job.confirmed)
    return json_response({"confirmed_index": confirmed})
