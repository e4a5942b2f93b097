"""The job state machine: which state follows which, and what each transition records.

Transitions happen lazily (when a job is read and its time in a state is up) or through the
admin endpoints; both go through ``step`` so the op-log and audit results are always the same.
A job leaves SYSTEM_AUDITING only once its review has a verdict (see ``reviewer``): until
then it stays, however long its time there has been up.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from reconciler.emulator.errors import ASSET_NAME_EXISTS, invalid_parameter
from reconciler.emulator.model import UPLOADABLE_STATES, Job

_TRAINING = ("WAITING", "PROCESSING", "UPLOADING", "SUCCEED")
_SHORT = ("CREATING", "SYSTEM_AUDITING", "AUDITING", *_TRAINING)
# Long-recording editions are cut into sentences and annotated before training.
_LONG = ("CREATING", "SYSTEM_AUDITING", "AUDITING", "WAITING_SPLIT", "SPLITTING", "ANNOTATING")
PATHS = {"BASIC": _SHORT, "MIDDLE": _SHORT}
LONG_PATH = (*_LONG, *_TRAINING)
# States outside the happy path that still lead somewhere when advanced by hand.
_DETOURS = {"RESULT_REVIEW": "UPLOADING", "USER_RESULT_REVIEW": "UPLOADING"}

# The review's errors on the job's submitted data; None while the review is not done.
Audit = Callable[[Job], list[dict[str, str]] | None]
# Publishes the trained model as an asset: its ID, or None when the asset name is taken.
MakeAsset = Callable[[Job, float], str | None]


def next_state(job: Job) -> str | None:
    """The state after this one, or None where only the user (or nobody) can move the job."""
    if job.state in UPLOADABLE_STATES:
        return None
    if job.state in _DETOURS:
        return _DETOURS[job.state]
    path = PATHS.get(job.job_type, LONG_PATH)
    if job.state not in path or job.state == path[-1]:
        return None
    return path[path.index(job.state) + 1]


def log(job: Job, at: float, action: str, operator: str, **external: Any) -> None:
    job.oplogs.append(
        {"time": int(at), "action": action, "operator": operator, "external_info": external}
    )


def set_state(job: Job, state: str, at: float) -> None:
    job.state = state
    job.state_since = at
    job.update_ts = at


def submit(job: Job, at: float, amendments: dict[str, Any]) -> None:
    if job.state not in UPLOADABLE_STATES:
        raise invalid_parameter(
            "job_id", f"job is in state {job.state}; only CREATING or AUDIT_FAILED can be submitted"
        )
    job.attrs.update(amendments)
    job.failed_code = job.failed_reason = None
    job.review_ticket, job.review = uuid.uuid4().hex, None
    log(job, at, "COMMIT_JOB", "USER")
    set_state(job, "SYSTEM_AUDITING", at)


def step(job: Job, at: float, audit: Audit, make_asset: MakeAsset) -> bool:
    """Move the job one state forward at time ``at``; False when it cannot move by itself
    or its review is not done."""
    target = next_state(job)
    if target is None:
        return False
    if job.state == "SYSTEM_AUDITING":
        errors = audit(job)
        if errors is None:
            return False
        job.system_audit = {"audit_time": int(at), "errors": errors}
        if errors:
            summary = f"{len(errors)} problem(s), first: {errors[0]['error_message']}"
            reject(job, at, errors[0]["error_code"], summary, operator="SYSTEM")
            return True
        log(job, at, "SYSTEM_AUDIT_PASS", "SYSTEM")
    elif job.state == "AUDITING":
        job.admin_audit = _admin_audit("approved", at)
        log(job, at, "ADMIN_AUDIT_PASS", "ADMIN")
    elif target == "UPLOADING":
        log(job, at, "TRAINING_FINISH", "SYSTEM")
        log(job, at, "UPLOADING_MODEL", "SYSTEM")
    elif target == "SUCCEED":
        asset_id = make_asset(job, at)
        if asset_id is None:
            # The training resource is spent: the model cannot be published under the name.
            name = job.attrs.get("voice_name", "")
            fail(job, at, ASSET_NAME_EXISTS, f"asset name already exists: {name}")
            return True
        job.asset_id = asset_id
        log(job, at, "COMPLETE_JOB", "SYSTEM")
    set_state(job, target, at)
    return True


def advance_due(
    job: Job, now: float, seconds_per_state: float, audit: Audit, make_asset: MakeAsset
) -> bool:
    """Apply every transition whose time has come; each happens at its scheduled time."""
    if seconds_per_state < 0:
        return False
    changed = False
    while next_state(job) is not None and now >= job.state_since + seconds_per_state:
        if not step(job, job.state_since + seconds_per_state, audit, make_asset):
            break
        changed = True
    return changed


def reject(job: Job, at: float, code: str, reason: str, *, operator: str) -> None:
    """AUDIT_FAILED: the user must upload again and resubmit."""
    if operator == "ADMIN":
        job.admin_audit = _admin_audit(reason, at)
        log(job, at, "AUDIT_NOT_PASS", operator, admin_audit_failure_reason=reason)
    else:
        log(job, at, "AUDIT_NOT_PASS", operator, algorithm_failure_reason=reason)
    job.reject_times += 1
    job.failed_code, job.failed_reason = code, reason
    set_state(job, "AUDIT_FAILED", at)


def fail(job: Job, at: float, code: str, reason: str) -> None:
    job.failed_code, job.failed_reason = code, reason
    set_state(job, "FAILED", at)


def _admin_audit(message: str, at: float) -> dict[str, Any]:
    return {"message": message, "attachment_name": "", "attachment_url": "", "audit_time": int(at)}
