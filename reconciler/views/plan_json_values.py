"""The parts of Terraform's plan JSON that describe values rather than changes:
``planned_values`` (what exists after apply), ``prior_state`` (what the state held, as
refreshed) and ``configuration`` (what the YAML declares). Policy tools read them: checkov's
``terraform_plan`` framework evaluates ``planned_values``, terraform-compliance reads all
three. Each voice is a resource of type ``metastudio_voice``, its values the voice's spec.
"""

from __future__ import annotations

from typing import Any

from reconciler.plan.model import RESOURCE_TYPE, Action, Plan, ResourceChange
from reconciler.state.privacy import SENSITIVE_KEYS

# A Terraform release whose plan format (1.2) ours follows. It claims compatibility only:
# terraform-compliance refuses a plan without a Terraform version it supports.
TERRAFORM_VERSION = "1.9.0"
STATE_FORMAT_VERSION = "1.0"
PROVIDER_NAME = "reconciler/metastudio"
PROVIDER_KEY = "metastudio"
SCHEMA_VERSION = 0

_GONE_AFTER = (Action.DELETE, Action.FORGET)


def resource_identity(change: ResourceChange) -> dict[str, Any]:
    return {
        "address": change.address,
        "mode": "managed",
        "type": RESOURCE_TYPE,
        "name": change.name,
        "provider_name": PROVIDER_NAME,
    }


def sensitive(spec: dict[str, Any] | None) -> dict[str, bool]:
    """Terraform's marker shape: the values themselves are fingerprints already."""
    return {key: True for key in sorted(SENSITIVE_KEYS) if (spec or {}).get(key) is not None}


def _value_resource(change: ResourceChange, values: dict[str, Any]) -> dict[str, Any]:
    return {
        **resource_identity(change),
        "schema_version": SCHEMA_VERSION,
        "values": values,
        "sensitive_values": sensitive(values),
    }


def planned_values(plan: Plan) -> dict[str, Any]:
    """Every voice that exists once the plan is applied, with the values it will have."""
    resources = [
        _value_resource(c, c.after)
        for c in plan.changes
        if c.action not in _GONE_AFTER and c.after is not None
    ]
    return {"root_module": {"resources": resources}}


def prior_state(plan: Plan) -> dict[str, Any]:
    """The voices the state held before the plan, as refreshed: a job found gone (created
    again) is not in it, as Terraform's refreshed state would not hold a vanished object."""
    resources = [
        _value_resource(c, c.before)
        for c in plan.changes
        if c.before and c.action.terraform_actions != ["create"]
    ]
    return {
        "format_version": STATE_FORMAT_VERSION,
        "terraform_version": TERRAFORM_VERSION,
        "values": {"root_module": {"resources": resources}},
    }


def configuration(plan: Plan) -> dict[str, Any]:
    """The voices the YAML declares, every attribute a constant (YAML has no expressions)."""
    resources = [
        {
            "address": c.address,
            "mode": "managed",
            "type": RESOURCE_TYPE,
            "name": c.name,
            "provider_config_key": PROVIDER_KEY,
            "expressions": {key: {"constant_value": v} for key, v in sorted(c.after.items())},
            "schema_version": SCHEMA_VERSION,
        }
        for c in plan.changes
        if c.after is not None and c.action not in _GONE_AFTER
    ]
    return {
        "provider_config": {
            PROVIDER_KEY: {"name": PROVIDER_KEY, "full_name": PROVIDER_NAME},
        },
        "root_module": {"resources": resources},
    }
