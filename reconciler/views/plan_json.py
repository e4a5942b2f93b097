"""The plan in Terraform's plan-JSON shape, so policy tools (OPA, conftest) written for
Terraform plans can gate ours with few changes. Reconciler-only facts sit in extra keys."""

from __future__ import annotations

import json
from typing import Any

from reconciler.plan.drift import Drift, drifts, is_complete
from reconciler.plan.in_place import update_call
from reconciler.plan.model import RESOURCE_TYPE, Action, Plan, Reason, ResourceChange
from reconciler.plan.plancodec import remote_to_dict
from reconciler.state.privacy import SENSITIVE_KEYS

TERRAFORM_FORMAT_VERSION = "1.2"
PROVIDER_NAME = "reconciler/metastudio"

_TERRAFORM_REASONS = {
    Reason.ATTRIBUTES: "replace_because_cannot_update",
    Reason.TAINTED: "replace_because_tainted",
    Reason.FORCED: "replace_by_request",
    Reason.REMOVED: "delete_because_no_resource_config",
    Reason.UNFINISHED: "reconciler_resume",
}


def action_reason(reason: Reason) -> str:
    return _TERRAFORM_REASONS.get(reason, f"reconciler_{reason.value}")


def render_json(plan: Plan) -> str:
    """Sorted keys, 2-space indent, trailing newline: byte-identical for identical plans."""
    return json.dumps(plan_to_json_dict(plan), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def plan_to_json_dict(plan: Plan) -> dict[str, Any]:
    summary = plan.summary
    document = {
        "format_version": TERRAFORM_FORMAT_VERSION,
        "reconciler_plan_version": plan.format_version,
        "applyable": plan.has_changes,
        "errored": False,
        # Format 1.2: false for a targeted, excluding or not refreshed plan (see drift.is_complete).
        "complete": is_complete(plan),
        "resource_changes": [_resource_change(c) for c in plan.changes],
        "resource_drift": [_resource_drift(d) for d in drifts(plan)],
        "summary": {
            "create": summary.create,
            "update": summary.update,
            "replace": summary.replace,
            "destroy": summary.destroy,
            "no_op": summary.noop,
            # Present only when there are some: the counts older readers know are unchanged.
            **{
                k: n
                for k, n in (
                    ("move", summary.move),
                    ("forget", summary.forget),
                    ("restore", summary.restore),
                )
                if n
            },
        },
        "state": {"serial": plan.state_serial, "lineage": plan.state_lineage},
        "config_digest": plan.config_digest,
        "timestamp": plan.created_at or None,
        "refreshed": plan.refreshed,
        "destroy": plan.destroy,
        "targets": list(plan.targets),
    }
    if plan.excludes:  # absent, not empty, without --exclude: older readers unchanged
        document["excludes"] = list(plan.excludes)
    if plan.resources:  # absent, not empty, when nothing is consumed: older readers unchanged
        document["training_resources"] = [
            {**need.to_dict(), "short": need.short} for need in plan.resources
        ]
    return document


def _resource(change: ResourceChange) -> dict[str, Any]:
    return {
        "address": change.address,
        "mode": "managed",
        "type": RESOURCE_TYPE,
        "name": change.name,
        "provider_name": PROVIDER_NAME,
    }


def _change_block(
    actions: list[str],
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    *,
    after_unknown: dict[str, bool],
    replace_paths: list[str],
) -> dict[str, Any]:
    return {
        "actions": actions,
        "before": before or None,
        "after": after or None,
        "after_unknown": after_unknown,
        "before_sensitive": _sensitive(before),
        "after_sensitive": _sensitive(after),
        "replace_paths": [[path] for path in replace_paths],
    }


def _resource_drift(drift: Drift) -> dict[str, Any]:
    """Shaped like a resource change, as in Terraform: what happened outside reconciler."""
    return {
        **_resource(drift.change),
        "change": _change_block(
            drift.actions, drift.before, drift.after, after_unknown={}, replace_paths=[]
        ),
        "reconciler_drift": drift.kind,
    }


def _resource_change(change: ResourceChange) -> dict[str, Any]:
    recreated = change.action in (Action.CREATE, Action.REPLACE)
    remote = change.remote
    moved = {} if change.previous_address is None else {"previous_address": change.previous_address}
    return {
        **_resource(change),
        **moved,  # Terraform's key, present only for a moved resource
        "change": _change_block(
            change.action.terraform_actions,
            change.before,
            change.after,
            after_unknown={"job_id": True} if recreated else {},
            replace_paths=change.replace_paths,
        ),
        "action_reason": action_reason(change.reason),
        # RESUME and UPDATE share Terraform's ["update"]: these tell them apart.
        "reconciler_action": change.action.value,
        "reconciler_reason": change.reason.value,
        "remote": remote_to_dict(remote),
        "adopt_job_id": change.adopt_job_id,
        "notes": list(change.notes),
        **in_place(change),
    }


def in_place(change: ResourceChange) -> dict[str, Any]:
    """An in-place update names its call and the asset fields it sets (none otherwise)."""
    if change.reason is not Reason.IN_PLACE:
        return {}
    return {"reconciler_update_call": update_call(change)}


def _sensitive(spec: dict[str, Any] | None) -> dict[str, bool]:
    """Terraform's marker shape: the values themselves are fingerprints already."""
    return {key: True for key in sorted(SENSITIVE_KEYS) if (spec or {}).get(key) is not None}
