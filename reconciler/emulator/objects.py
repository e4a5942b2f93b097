"""The OBS stand-in: presigned PUT of training data and presigned GET of stored objects.

Checks run in the order a real bucket applies them. A body is streamed to a temp file in
1 MiB reads, fsync'd, and renamed into place only once complete, so an upload cut off half
way leaves the previous object untouched.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from urllib.parse import parse_qsl

from reconciler.emulator import atomic, faulting, keys
from reconciler.emulator.api_tts import audio_file
from reconciler.emulator.core import Core
from reconciler.emulator.errors import ObsError, UploadAborted
from reconciler.emulator.model import UPLOADABLE_STATES
from reconciler.emulator.wire import Exchange, Response, header, xml_error_response

MAX_OBJECT = 5 << 30
BLOCK = 1 << 20
PREFIX = "/_obs/"
TTS_BUCKET = "_tts"


def handle_object(core: Core, exchange: Exchange) -> None:
    method = exchange.method
    operation = {"PUT": "object_put", "GET": "object_get"}.get(method, "unknown")
    core.stats.count(operation)
    if operation != "unknown":
        decision = core.faults.decide(operation)
        if faulting.before(core, exchange, decision, xml_error_response):
            return
    try:
        bucket, _, key = exchange.raw_path[len(PREFIX) :].partition("/")
        query = parse_qsl(exchange.query_string, keep_blank_values=True)
        if method == "PUT":
            response = put_object(core, exchange, bucket, key, query)
        elif method == "GET":
            response = get_object(core, exchange.raw_path, bucket, key, query)
        else:
            raise ObsError(405, "MethodNotAllowed", f"{method} is not allowed on objects")
    except UploadAborted:
        exchange.reset()
        return
    except ObsError as error:
        if not error.body_read:
            exchange.drain_body()
        response = xml_error_response(error.status, error.code, error.message, exchange.request_id)
    exchange.send(response)


def _check_put_headers(
    core: Core, exchange: Exchange, key: str, query: list[tuple[str, str]]
) -> int:
    headers = exchange.headers_map
    if header(headers, "Authorization") or header(headers, "X-Auth-Token"):
        raise ObsError(
            400,
            "InvalidArgument",
            "Only one auth mechanism allowed: the presigned URL already authenticates the "
            "request, so send no Authorization or X-Auth-Token header",
        )
    if "chunked" in (header(headers, "Transfer-Encoding") or "").lower():
        raise ObsError(501, "NotImplemented", "Transfer-Encoding: chunked is not supported")
    length_text = header(headers, "Content-Length")
    if length_text is None:
        raise ObsError(411, "MissingContentLength", "You must provide the Content-Length header.")
    if not length_text.strip().isdigit():
        raise ObsError(400, "InvalidArgument", "Content-Length must be a non-negative integer")
    core.signer.check("PUT", exchange.raw_path, keys.bound_type(key), query, core.now())
    bound = keys.bound_type(key)
    sent = (header(headers, "Content-Type") or "").strip()
    if bound and sent != bound:
        raise ObsError(
            403,
            "SignatureDoesNotMatch",
            f"This URL is signed for Content-Type {bound}; the request sent {sent or 'none'}",
        )
    length = int(length_text)
    if length > MAX_OBJECT:
        raise ObsError(400, "EntityTooLarge", "Your proposed upload exceeds the maximum (5 GiB).")
    return length


def _check_job(core: Core, job_id: str, key: str, *, body_read: bool) -> None:
    short = core.store.short_jobs.get(job_id)
    if short is not None:
        if key != keys.ASSESS_KEY:
            raise ObsError(403, "AccessDenied", "The job does not exist.", body_read=body_read)
        if short.state != "CREATING":
            message = f"The short job is {short.state}; its sample is taken only while CREATING."
            raise ObsError(403, "AccessDenied", message, body_read=body_read)
        return
    job = core.store.jobs.get(job_id)
    if job is None or not keys.is_valid_key(job.job_type, key):
        raise ObsError(403, "AccessDenied", "The job does not exist.", body_read=body_read)
    if job.state not in UPLOADABLE_STATES:
        message = f"The job is {job.state}; uploads are accepted in CREATING or AUDIT_FAILED."
        raise ObsError(403, "AccessDenied", message, body_read=body_read)


def put_object(
    core: Core, exchange: Exchange, job_id: str, key: str, query: list[tuple[str, str]]
) -> Response:
    length = _check_put_headers(core, exchange, key, query)
    with core.lock:
        job = core.store.jobs.get(job_id)
        if job is not None:
            core.settle([job], wait=False)  # a job whose audit is due is no longer uploadable
        _check_job(core, job_id, key, body_read=False)
    digest, temp = _receive(core, exchange, length)
    try:
        with core.lock:
            _check_job(core, job_id, key, body_read=True)
            target = core.store.object_path(job_id, key)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temp, target)
            atomic.fsync_dir(target.parent)
            _record(core, job_id, key, length, digest, exchange)
    finally:
        temp.unlink(missing_ok=True)
    return Response(200, b"", "application/xml", {"ETag": f'"{digest}"'})


def _receive(core: Core, exchange: Exchange, length: int) -> tuple[str, Path]:
    fd, temp = core.store.temp_upload()
    md5 = hashlib.md5()  # noqa: S324 - ETag semantics, not security
    try:
        with os.fdopen(fd, "wb") as out:
            remaining = length
            while remaining:
                block = exchange.read(min(remaining, BLOCK))
                if not block:
                    raise UploadAborted
                out.write(block)
                md5.update(block)
                remaining -= len(block)
            out.flush()
            os.fsync(out.fileno())
    except (UploadAborted, OSError) as error:
        temp.unlink(missing_ok=True)
        raise UploadAborted from error
    return md5.hexdigest(), temp


def _record(core: Core, job_id: str, key: str, size: int, etag: str, exchange: Exchange) -> None:
    content_type = header(exchange.headers_map, "Content-Type") or ""
    short = core.store.short_jobs.get(job_id)
    if short is not None:
        short.objects[key] = {"size": size, "etag": etag, "content_type": content_type}
        core.store.save_short_jobs()
        return
    job = core.store.jobs[job_id]
    job.objects[key] = {"size": size, "etag": etag, "content_type": content_type}
    if key.startswith(keys.SEGMENT_PREFIX):
        # New content for a sentence must be confirmed again.
        index = int(key[len(keys.SEGMENT_PREFIX) :].split(".")[0])
        job.confirmed = [i for i in job.confirmed if i != index]
    core.store.save_jobs([job_id])


def get_object(
    core: Core, path: str, bucket: str, key: str, query: list[tuple[str, str]]
) -> Response:
    core.signer.check("GET", path, keys.ANY_TYPE, query, core.now())
    if bucket == TTS_BUCKET:
        return Response(200, content_type="audio/wav", file=audio_file(core, key.split("/")[0]))
    with core.lock:
        job = core.store.jobs.get(bucket)
        meta = job.objects.get(key) if job else None
        target = core.store.object_path(bucket, key)
    if meta is None or not target.exists():
        raise ObsError(404, "NoSuchKey", "The specified key does not exist.")
    content_type = meta.get("content_type") or "application/octet-stream"
    return Response(
        200, content_type=content_type, file=target, headers={"ETag": f'"{meta["etag"]}"'}
    )
