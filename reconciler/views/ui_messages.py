"""Messages of the machine-readable UI stream, in Terraform's vocabulary (pure, no I/O).

One JSON object per line, like ``terraform plan -json``: tools written for Terraform's UI
stream (CI annotations, chat bots, dashboards) read ours with few changes. Each function
returns a message without ``@timestamp`` and ``@module``, which the writer adds as it sends
it. Reconciler-only facts sit in ``reconciler_*`` keys; ``reconciler/schemas/ui-stream.schema.json``
describes every message.
"""

from __future__ import annotations

from typing import Any

from reconciler.addresses import PREFIX
from reconciler.plan.drift import Drift
from reconciler.plan.in_place import update_call
from reconciler.plan.model import RESOURCE_TYPE, Action, PlanSummary, Reason, ResourceChange

UI_VERSION = "1.2"
MODULE = "reconciler.ui"
ID_KEY = "job_id"

Message = dict[str, Any]

# Terraform's ChangeAction words; "resume" is an update that finishes an earlier apply.
ACTIONS = {
    Action.CREATE: "create",
    Action.RESUME: "update",
    Action.UPDATE: "update",
    Action.REPLACE: "replace",
    Action.DELETE: "delete",
    Action.FORGET: "remove",  # Terraform's word for a `removed` block's forget
    Action.NOOP: "noop",
    # Terraform's UI has no restore: the voice comes into being, as with a create;
    # reconciler_action says "restore".
    Action.RESTORE: "create",
}

# Terraform's ChangeReason words, where one fits; the others only in reconciler_reason.
_REASONS = {
    Reason.ATTRIBUTES: "cannot_update",
    Reason.TAINTED: "tainted",
    Reason.FORCED: "requested",
    Reason.REMOVED: "delete_because_no_resource_config",
}

_STARTING = {
    "create": "Creating...",
    "update": "Modifying...",
    "replace": "Replacing...",
    "delete": "Destroying...",
}
_ONGOING = {"create": "creating", "update": "modifying", "replace": "replacing"}
_DONE = {
    "create": "Creation",
    "update": "Modifications",
    "replace": "Replacement",
    "delete": "Destruction",
}


def _message(kind: str, text: str, level: str = "info", **fields: Any) -> Message:
    return {"@level": level, "@message": text, "type": kind, **fields}


def resource(address: str) -> dict[str, Any]:
    """Terraform's resource block; a voice's address is ``voice.NAME``."""
    name = address[len(PREFIX) :] if address.startswith(PREFIX) else address
    return {
        "addr": address,
        "module": "",
        "resource": address,
        "implied_provider": "metastudio",
        "resource_type": RESOURCE_TYPE,
        "resource_name": name,
        "resource_key": None,
    }


def version(reconciler_version: str) -> Message:
    return _message(
        "version", f"Reconciler {reconciler_version}", reconciler=reconciler_version, ui=UI_VERSION
    )


def log(text: str, level: str = "info") -> Message:
    return _message("log", text, level)


def planned_change(change: ResourceChange) -> Message:
    action = ACTIONS[change.action]
    moved = change.previous_address
    if moved is not None and change.action is Action.NOOP:
        action = "move"  # as Terraform: a move shows as such unless something else is done
    block: dict[str, Any] = {"resource": resource(change.address), "action": action}
    if moved is not None:
        block["previous_resource"] = resource(moved)
    if change.reason in _REASONS:
        block["reason"] = _REASONS[change.reason]
    block["reconciler_action"] = change.action.value
    block["reconciler_reason"] = change.reason.value
    if change.reason is Reason.IN_PLACE:
        block["reconciler_update_call"] = update_call(change)
    return _message("planned_change", f"{change.address}: Plan to {action}", change=block)


def resource_drift(drift: Drift) -> Message:
    action = drift.actions[0]
    block = {
        "resource": resource(drift.change.address),
        "action": action,
        "reconciler_drift": drift.kind,
        "reconciler_remote_state": drift.change.remote.state,
    }
    text = f"{drift.change.address}: Drift detected ({action})"
    return _message("resource_drift", text, change=block)


def change_summary(summary: PlanSummary, operation: str) -> Message:
    """Terraform's counts: a replacement adds one object and removes one."""
    add = summary.create + summary.replace + summary.restore
    change = summary.update
    remove = summary.destroy + summary.replace
    message = _summary(add, change, remove, operation)
    if summary.forget:  # Terraform 1.7 counts a `removed` block's forgets apart
        message["changes"]["forget"] = summary.forget
        message["@message"] = (
            message["@message"].removesuffix(".") + f", {summary.forget} to forget."
        )
    return message


def applied_summary(counts: dict[str, int], operation: str) -> Message:
    """``counts`` of what apply did, by its outcome words (created, updated, ...)."""
    add = counts.get("created", 0) + counts.get("replaced", 0)
    remove = counts.get("destroyed", 0) + counts.get("replaced", 0)
    return _summary(add, counts.get("updated", 0), remove, operation)


def _summary(add: int, change: int, remove: int, operation: str) -> Message:
    if operation == "plan":
        text = f"Plan: {add} to add, {change} to change, {remove} to destroy."
    elif operation == "destroy":
        text = f"Destroy complete! Resources: {remove} destroyed."
    else:
        text = f"Apply complete! Resources: {add} added, {change} changed, {remove} destroyed."
    changes = {"add": add, "change": change, "import": 0, "remove": remove, "operation": operation}
    return _message("change_summary", text, changes=changes)


def _id_hook(address: str, job_id: str | None) -> dict[str, Any]:
    hook: dict[str, Any] = {"resource": resource(address)}
    if job_id:
        hook.update(id_key=ID_KEY, id_value=job_id)
    return hook


def refresh_start(address: str, job_id: str) -> Message:
    text = f"{address}: Refreshing state... [id={job_id}]"
    return _message("refresh_start", text, hook=_id_hook(address, job_id))


def refresh_complete(
    address: str, job_id: str | None, status: dict[str, Any] | None = None
) -> Message:
    """``status``: what was seen of the voice (reconciler's extension); a voice without a
    job (never created, or its create interrupted) has no id."""
    hook = _id_hook(address, job_id)
    if status is not None:
        hook["reconciler_status"] = status
    suffix = f" [id={job_id}]" if job_id else ""
    return _message("refresh_complete", f"{address}: Refresh complete{suffix}", hook=hook)


def apply_start(address: str, action: str, job_id: str | None) -> Message:
    hook = {**_id_hook(address, job_id), "action": action}
    suffix = f" [id={job_id}]" if job_id else ""
    return _message("apply_start", f"{address}: {_STARTING[action]}{suffix}", hook=hook)


def apply_progress(address: str, action: str, elapsed: float, **extension: Any) -> Message:
    """``extension``: reconciler_step, reconciler_upload or reconciler_training."""
    seconds = int(elapsed)
    hook = {
        "resource": resource(address),
        "action": action,
        "elapsed_seconds": seconds,
        **extension,
    }
    verb = _ONGOING.get(action, "destroying")
    text = f"{address}: Still {verb}... [{seconds}s elapsed]"
    return _message("apply_progress", text, hook=hook)


def apply_complete(address: str, action: str, elapsed: float, job_id: str | None) -> Message:
    seconds = int(elapsed)
    hook = {**_id_hook(address, job_id), "action": action, "elapsed_seconds": seconds}
    suffix = f" [id={job_id}]" if job_id else ""
    text = f"{address}: {_DONE[action]} complete after {seconds}s{suffix}"
    return _message("apply_complete", text, hook=hook)


def apply_errored(address: str, action: str, elapsed: float) -> Message:
    seconds = int(elapsed)
    hook = {"resource": resource(address), "action": action, "elapsed_seconds": seconds}
    text = f"{address}: {_DONE[action]} errored after {seconds}s"
    return _message("apply_errored", text, "error", hook=hook)


def diagnostic(
    severity: str,
    summary: str,
    detail: str = "",
    *,
    address: str | None = None,
    filename: str | None = None,
    line: int | None = None,
    column: int | None = None,
) -> Message:
    """Terraform's diagnostic; ``range`` only where the problem has a place in a file.

    Terraform's positions also carry a byte offset, which the YAML loader does not keep:
    a range here has ``line`` and ``column`` only (both 1-based).
    """
    block: dict[str, Any] = {"severity": severity, "summary": summary, "detail": detail}
    if address is not None:
        block["address"] = address
    if filename is not None and line is not None:
        position = {"line": line, "column": column or 1}
        block["range"] = {"filename": filename, "start": position, "end": position}
    elif filename is not None:
        block["reconciler_file"] = filename  # a whole file: Terraform's range needs a line
    title, level = ("Error", "error") if severity == "error" else ("Warning", "warn")
    return _message("diagnostic", f"{title}: {summary}", level, diagnostic=block)
