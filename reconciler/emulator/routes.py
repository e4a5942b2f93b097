"""The /v1/{project_id}/ routing table: path + method -> operation name and handler."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import unquote

from reconciler.emulator import (
    api_assets,
    api_jobs,
    api_short_jobs,
    api_tenant,
    api_tts,
    api_uploads,
    recycle_bin,
)
from reconciler.emulator.core import Handler
from reconciler.emulator.errors import API_NOT_FOUND, METHOD_NOT_ALLOWED, ApiError

UNKNOWN = "unknown"
_USER = "voice-training-manage/user"
_JOB = rf"{_USER}/jobs/(?P<job_id>[^/]+)"
_SHORT = f"{_USER}/short-jobs"


@dataclass(frozen=True)
class Route:
    pattern: re.Pattern[str]
    methods: Mapping[str, tuple[str, Handler]]


def _route(pattern: str, **methods: tuple[str, Handler]) -> Route:
    return Route(re.compile(f"^{pattern}$"), methods)


ROUTES = (
    _route(f"{_USER}/basic-jobs", POST=("create_basic_job", api_jobs.create_handler("BASIC"))),
    _route(f"{_USER}/middle-jobs", POST=("create_middle_job", api_jobs.create_handler("MIDDLE"))),
    _route(
        f"{_USER}/advance-jobs", POST=("create_advance_job", api_jobs.create_handler("ADVANCE"))
    ),
    _route(
        f"{_USER}/third-party-jobs",
        POST=("create_third_party_job", api_jobs.create_handler("THIRD_PARTY")),
    ),
    _route(f"{_USER}/jobs", GET=("list_jobs", api_jobs.list_jobs)),
    _route(
        _JOB,
        GET=("show_job", api_jobs.show_job),
        POST=("commit_job", api_jobs.commit_job),
        DELETE=("delete_job", api_jobs.delete_job),
    ),
    _route(f"{_JOB}/op-logs", GET=("list_op_logs", api_jobs.list_op_logs)),
    _route(
        f"{_JOB}/uploading-address-url",
        GET=("show_uploading_address", api_uploads.show_uploading_address),
    ),
    _route(f"{_JOB}/audit-result", GET=("show_audit_result", api_jobs.show_audit_result)),
    _route(
        f"{_JOB}/review-attachment-uploading-address-url",
        GET=("show_review_attachment_address", api_uploads.show_review_attachment_address),
    ),
    _route(
        f"{_USER}/training-segment",
        POST=("confirm_segment", api_uploads.confirm_segment),
        GET=("show_segment_info", api_uploads.show_segment_info),
    ),
    _route(
        f"{_USER}/tenant-duration-cfg",
        GET=("show_tenant_duration_cfg", api_tenant.show_tenant_duration_cfg),
    ),
    _route(_SHORT, POST=("create_short_job", api_short_jobs.create_short_job)),
    _route(
        rf"{_SHORT}/(?P<job_id>[^/]+)",
        GET=("show_short_job", api_short_jobs.show_short_job),
        POST=("commit_short_job", api_short_jobs.commit_short_job),
    ),
    _route(
        "voice-training-manage/quotas",
        GET=("show_voice_training_quotas", api_tenant.show_voice_training_quotas),
    ),
    _route("ttsc/audition", POST=("create_tts_audition", api_tts.create_tts_audition)),
    _route(
        "ttsc/audition-file/(?P<job_id>[^/]+)",
        GET=("show_tts_audition_file", api_tts.show_tts_audition_file),
    ),
    _route(
        "ttsc/check-voice-asset/(?P<voice_asset_id>[^/]+)",
        POST=("check_voice_asset", api_assets.check_voice_asset),
    ),
    _route("digital-assets", GET=("list_assets", api_assets.list_assets)),
    _route(
        "digital-assets/(?P<asset_id>[^/]+)",
        GET=("show_asset", api_assets.show_asset),
        PUT=("update_asset", api_assets.update_asset),
        DELETE=("delete_asset", api_assets.delete_asset),
    ),
    _route(
        "digital-assets/(?P<asset_id>[^/]+)/restore",
        POST=("restore_asset", recycle_bin.restore_asset),
    ),
)


# The operations whose requests may carry X-App-UserId (the SDK's request models; not
# op-logs, upload addresses, audit results, segments, quotas nor assets). The dispatcher
# checks the header on these, as the service does, before the handler runs.
APP_USER_OPERATIONS = frozenset(
    {
        "create_basic_job",
        "create_middle_job",
        "create_advance_job",
        "create_third_party_job",
        "list_jobs",
        "show_job",
        "commit_job",
        "delete_job",
        "create_short_job",
        "show_short_job",
        "commit_short_job",
        "create_tts_audition",
        "show_tts_audition_file",
    }
)


@dataclass(frozen=True)
class Resolved:
    operation: str = UNKNOWN
    handler: Handler | None = None
    params: dict[str, str] = field(default_factory=dict)
    error: ApiError | None = None


NOT_FOUND = Resolved(error=ApiError(400, API_NOT_FOUND, "SR.api not found"))


def resolve(method: str, rest: str) -> Resolved:
    """``rest`` is the raw path after ``/v1/{project_id}/``."""
    for route in ROUTES:
        match = route.pattern.match(rest)
        if not match:
            continue
        if method not in route.methods:
            allowed = ", ".join(sorted(route.methods))
            message = f"SR.method not allowed: {method} (allowed: {allowed})"
            return Resolved(error=ApiError(400, METHOD_NOT_ALLOWED, message))
        operation, handler = route.methods[method]
        params = {name: unquote(value) for name, value in match.groupdict().items()}
        return Resolved(operation, handler, params)
    return NOT_FOUND
