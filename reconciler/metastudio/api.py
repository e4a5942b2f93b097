"""The API's operations the client speaks: method, path, rate class, whether a retry is safe.

Names match the emulator's statistics, so call counts can be compared operation by operation.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from reconciler.jobtypes import CREATE_PATHS

VT = "/voice-training-manage/user"


class Retry(enum.Enum):
    SAFE = "safe"  # idempotent: retry 429, 5xx and connection errors
    UNSAFE = "unsafe"  # retry only what surely did not reach the service (429, connect errors)


@dataclass(frozen=True)
class Operation:
    name: str
    method: str
    path: str  # after /v1/{project_id}; {job_id}-style placeholders
    rate_class: str
    retry: Retry
    app_user_header: bool = True


def _op(name: str, method: str, path: str, rate: str, retry: Retry, app: bool = True) -> Operation:
    return Operation(name, method, path, rate, retry, app)


S, U = Retry.SAFE, Retry.UNSAFE
CREATE = {
    job_type: _op(f"create_{seg[:-5].replace('-', '_')}_job", "POST", f"{VT}/{seg}", "create", U)
    for job_type, seg in CREATE_PATHS.items()
}
LIST_JOBS = _op("list_jobs", "GET", f"{VT}/jobs", "query", S)
SHOW_JOB = _op("show_job", "GET", f"{VT}/jobs/{{job_id}}", "query", S)
COMMIT_JOB = _op("commit_job", "POST", f"{VT}/jobs/{{job_id}}", "query", U)
# A repeated delete answers "no such job", which the caller treats as done: safe to retry.
DELETE_JOB = _op("delete_job", "DELETE", f"{VT}/jobs/{{job_id}}", "query", S)
LIST_OP_LOGS = _op("list_op_logs", "GET", f"{VT}/jobs/{{job_id}}/op-logs", "query", S, False)
SHOW_UPLOADING_ADDRESS = _op(
    "show_uploading_address",
    "GET",
    f"{VT}/jobs/{{job_id}}/uploading-address-url",
    "upload_url",
    S,
    False,
)
SHOW_AUDIT_RESULT = _op(
    "show_audit_result", "GET", f"{VT}/jobs/{{job_id}}/audit-result", "query", S, False
)
# Confirming a sentence twice changes nothing: safe to retry.
CONFIRM_SEGMENT = _op("confirm_segment", "POST", f"{VT}/training-segment", "query", S, False)
SHOW_SEGMENT_INFO = _op("show_segment_info", "GET", f"{VT}/training-segment", "query", S, False)
SHOW_REVIEW_ATTACHMENT_ADDRESS = _op(
    "show_review_attachment_address",
    "GET",
    f"{VT}/jobs/{{job_id}}/review-attachment-uploading-address-url",
    "upload_url",
    S,
    False,
)
SHOW_TENANT_DURATION_CFG = _op(
    "show_tenant_duration_cfg", "GET", f"{VT}/tenant-duration-cfg", "query", S, False
)
# Third-party previews are charged: never blindly repeated.
CREATE_TTS_AUDITION = _op("create_tts_audition", "POST", "/ttsc/audition", "query", U)
SHOW_TTS_AUDITION_FILE = _op(
    "show_tts_audition_file", "GET", "/ttsc/audition-file/{job_id}", "query", S
)
LIST_ASSETS = _op("list_assets", "GET", "/digital-assets", "query", S, False)
SHOW_ASSET = _op("show_asset", "GET", "/digital-assets/{asset_id}", "query", S, False)
SHOW_VOICE_TRAINING_QUOTAS = _op(
    "show_voice_training_quotas", "GET", "/voice-training-manage/quotas", "query", S, False
)
# A check reads the asset; nothing changes however often it is sent.
CHECK_VOICE_ASSET = _op(
    "check_voice_asset", "POST", "/ttsc/check-voice-asset/{voice_asset_id}", "query", S
)
# A repeated delete answers "asset not found", which the caller checks and treats as done.
DELETE_ASSET = _op("delete_asset", "DELETE", "/digital-assets/{asset_id}", "query", S)
# Setting the same fields again changes nothing more: safe to retry.
UPDATE_ASSET = _op("update_asset", "PUT", "/digital-assets/{asset_id}", "query", S)
# A repeated restore answers "not in the recycle bin": the caller reads the asset back to
# tell its own earlier success from a refusal, so a retry changes nothing.
RESTORE_ASSET = _op("restore_asset", "POST", "/digital-assets/{asset_id}/restore", "query", S)
# Short jobs (op 18), the free VOICE_ASSESS check. A create or commit whose outcome is
# unknown is not sent again: the caller shows the job or starts a new one.
CREATE_SHORT_JOB = _op("create_short_job", "POST", f"{VT}/short-jobs", "create", U)
COMMIT_SHORT_JOB = _op("commit_short_job", "POST", f"{VT}/short-jobs/{{job_id}}", "query", U)
SHOW_SHORT_JOB = _op("show_short_job", "GET", f"{VT}/short-jobs/{{job_id}}", "query", S)
