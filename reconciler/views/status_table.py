"""The status of voices as a table for people and as JSON for machines."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from reconciler.jobstates import JobState
from reconciler.status import VoiceStatus

UNKNOWN = "—"
NOT_CREATED = "(not created; run apply)"
HEADERS = ("VOICE", "JOB ID", "STATE", "ASSET ID")


def state_label(status: VoiceStatus) -> str:
    if not status.recorded:
        return "not created"
    if status.restored:
        return "restored"
    if status.job_id is None:
        return "create interrupted"
    if status.gone:
        return "gone"
    return status.state or "unknown"


def _row(status: VoiceStatus) -> tuple[str, str, str, str]:
    if not status.recorded:
        return (status.address, NOT_CREATED, "", "")
    job = status.job_id or UNKNOWN
    state = "RESTORED" if status.restored else status.state or UNKNOWN
    state = "(gone)" if status.gone else state
    return (status.address, job, state, status.asset_id or UNKNOWN)


def _reason(status: VoiceStatus) -> bool:
    """Whether the failure reason says something the audit errors do not already say."""
    reason = status.failed_reason
    return bool(reason) and not status.succeeded and f"review: {reason}" not in status.audit_errors


def notes(status: VoiceStatus, configured: Collection[str]) -> list[str]:
    """What a person needs to read under the voice: why it stopped and what to do next."""
    lines = []
    if status.recorded and status.name not in configured:
        lines.append("not in the configuration: the next apply destroys it")
    if status.restored:
        lines.append("restored from the recycle bin: trained, with no training job")
    elif status.recorded and status.job_id is None:
        lines.append("an apply stopped while creating its job; run `reconciler apply` to finish")
    elif status.gone:
        lines.append("the job no longer exists in MetaStudio; `reconciler apply` creates it again")
    elif status.state == JobState.CREATING:
        lines.append("not submitted yet; run `reconciler apply` to upload and submit")
    if _reason(status):
        lines.append(f"reason: {status.failed_reason}")
    lines += [f"audit: {error}" for error in status.audit_errors]
    if status.asset_usable:
        lines.append("asset checked: usable for speech synthesis")
    elif status.asset_usable is False:
        lines.append(f"asset not usable: {status.asset_problem}")
    if status.needs_user:
        lines.append("fix the training data, then `reconciler apply` uploads and submits it again")
    return lines


def problem_line(status: VoiceStatus) -> str:
    """Why a settled voice did not succeed, in one line for stderr."""
    if not status.recorded:
        return f"{status.address}: not created; run `reconciler apply`"
    if status.job_id is None or status.gone or status.state == JobState.CREATING:
        what = "its job is gone" if status.gone else "its job was not created and submitted"
        return f"{status.address}: {what}; run `reconciler apply`"
    text = f"{status.address}: {status.state}"
    if _reason(status):
        text += f": {status.failed_reason}"
    if status.audit_errors:
        first = status.audit_errors[0]
        more = len(status.audit_errors) - 1
        text += f"; audit: {first}" + (f" (and {more} more)" if more else "")
    return text


def render_table(
    statuses: Sequence[VoiceStatus],
    configured: Collection[str],
    extra: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """One row per voice with indented notes under it, then a one-line summary."""
    if not statuses:
        return "No voices in the configuration or the state."
    rows = [HEADERS, *(_row(s) for s in statuses)]
    widths = [max(len(row[i]) for row in rows if row[2] or i == 0) for i in range(3)]
    lines = []
    for row, status in zip(rows, (None, *statuses), strict=True):
        if not row[2] and status is not None:  # not created: the message spans the columns
            lines.append(f"{row[0]:<{widths[0]}}  {row[1]}")
        else:
            cells = [f"{cell:<{widths[i]}}" for i, cell in enumerate(row[:3])]
            lines.append("  ".join([*cells, row[3]]).rstrip())
        if status is not None:
            more = [*notes(status, configured), *(extra or {}).get(status.name, ())]
            lines += [f"    {line}" for line in more]
    lines += ["", summary(statuses)]
    return "\n".join(lines)


def summary(statuses: Sequence[VoiceStatus]) -> str:
    counts = Counter(state_label(s) for s in statuses)
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    parts = ", ".join(f"{n} {label}" for label, n in ordered)
    noun = "voice" if len(statuses) == 1 else "voices"
    return f"{len(statuses)} {noun}: {parts}."


def voice_json(
    s: VoiceStatus,
    configured: Collection[str],
    previews: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """One voice of `status --format json`, also the status carried by the UI stream."""
    return {
        "address": s.address,
        "name": s.name,
        "job_id": s.job_id,
        "phase": s.phase,
        "state": s.state,
        "asset_id": s.asset_id,
        "failed_reason": s.failed_reason,
        "audit_errors": list(s.audit_errors),
        "terminal": s.terminal,
        "needs_user": s.needs_user,
        "recorded": s.recorded,
        "configured": s.name in configured,
        "gone": s.gone,
        "asset_usable": s.asset_usable,
        "asset_problem": s.asset_problem,
        "settled": s.settled,
        "preview": list((previews or {})[s.name]) if s.name in (previews or {}) else None,
    }


def render_json(
    statuses: Sequence[VoiceStatus],
    configured: Collection[str],
    previews: Mapping[str, Sequence[str]] | None = None,
) -> str:
    voices = [voice_json(s, configured, previews) for s in statuses]
    document = {
        "voices": voices,
        "summary": dict(Counter(state_label(s) for s in statuses)),
        "all_succeeded": bool(statuses) and all(s.succeeded for s in statuses),
    }
    return json.dumps(document, indent=2, ensure_ascii=False)
