"""The plan in Terraform's plan-JSON shape (format 1.2), so policy tools written for Terraform
plans (checkov, terraform-compliance, OPA/conftest) read ours. Reconciler-only facts sit in
``reconciler_*`` and other keys Terraform does not have; Terraform's own keys hold only
Terraform's vocabulary."""

from __future__ import annotations

import json
from typing import Any

from reconciler.plan.drift import Drift, drifts, is_complete
from reconciler.plan.in_place import update_call
from reconciler.plan.model import Action, Plan, Reason, ResourceChange
from reconciler.plan.plancodec import remote_to_dict
from reconciler.views.plan_findings import reconciler_diagnostics, terraform_diagnostics
from reconciler.views.plan_json_values import (
    TERRAFORM_VERSION,
    configuration,
    planned_values,
    prior_state,
    resource_identity,
    sensitive,
)

TERRAFORM_FORMAT_VERSION = "1.2"
# Our own keys' version: 2 moved reasons Terraform has no word for out of action_reason
# (into reconciler_reason only), made a create's before null, and added planned_values,
# prior_state, configuration, terraform_version and the diagnostics.
RECONCILER_FORMAT_VERSION = 2

# Terraform's ResourceInstanceChangeActionReason words (internal/command/jsonplan); a change
# for which Terraform has none has no action_reason, as in Terraform.
_TERRAFORM_REASONS = {
    Reason.ATTRIBUTES: "replace_because_cannot_update",
    Reason.TAINTED: "replace_because_tainted",
    Reason.FORCED: "replace_by_request",
    Reason.REMOVED: "delete_because_no_resource_config",
}


def action_reason(reason: Reason) -> str | None:
    return _TERRAFORM_REASONS.get(reason)


def render_json(plan: Plan, *, pretty: bool = False) -> str:
    """Sorted keys and a trailing newline: byte-identical for identical plans. One line by
    default (terraform-compliance reads nothing else, as `terraform show -json` writes it),
    indented with ``pretty``."""
    document = plan_to_json_dict(plan)
    if pretty:
        return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"


def plan_to_json_dict(plan: Plan) -> dict[str, Any]:
    summary = plan.summary
    document = {
        "format_version": TERRAFORM_FORMAT_VERSION,
        "terraform_version": TERRAFORM_VERSION,
        "reconciler_format_version": RECONCILER_FORMAT_VERSION,
        "reconciler_plan_version": plan.format_version,
        "applyable": plan.has_changes,
        "errored": False,
        # Format 1.2: false for a targeted, excluding or not refreshed plan (see drift.is_complete).
        "complete": is_complete(plan),
        "resource_changes": [_resource_change(c) for c in plan.changes],
        "resource_drift": [_resource_drift(d) for d in drifts(plan)],
        "planned_values": planned_values(plan),
        "prior_state": prior_state(plan),
        "configuration": configuration(plan),
        # The data checks' findings: ours, and in Terraform's diagnostic shape.
        "reconciler_diagnostics": reconciler_diagnostics(plan.findings),
        "diagnostics": terraform_diagnostics(plan.findings),
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
        "before_sensitive": sensitive(before),
        "after_sensitive": sensitive(after),
        "replace_paths": [[path] for path in replace_paths],
    }


def _resource_drift(drift: Drift) -> dict[str, Any]:
    """Shaped like a resource change, as in Terraform: what happened outside reconciler."""
    return {
        **resource_identity(drift.change),
        "change": _change_block(
            drift.actions, drift.before, drift.after, after_unknown={}, replace_paths=[]
        ),
        "reconciler_drift": drift.kind,
    }


def _resource_change(change: ResourceChange) -> dict[str, Any]:
    recreated = change.action in (Action.CREATE, Action.REPLACE)
    remote = change.remote
    actions = change.action.terraform_actions
    moved = {} if change.previous_address is None else {"previous_address": change.previous_address}
    reason = action_reason(change.reason)
    return {
        **resource_identity(change),
        **moved,  # Terraform's key, present only for a moved resource
        # Terraform's key, present only with one of Terraform's reasons
        **({} if reason is None else {"action_reason": reason}),
        "change": _change_block(
            actions,
            # A create has nothing before it, in Terraform's format: a job that vanished
            # (drift) is in resource_drift with the record the state held.
            None if actions == ["create"] else change.before,
            change.after,
            after_unknown={"job_id": True} if recreated else {},
            replace_paths=change.replace_paths,
        ),
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
