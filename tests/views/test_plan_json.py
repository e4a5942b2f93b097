"""The JSON plan: Terraform's vocabulary where policy tools look, deterministic bytes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from reconciler.plan.model import Action, Plan, Reason, ResourceChange
from reconciler.views.plan_json import plan_to_json_dict, render_json
from tests.plan import fixtures as fx
from tests.plan.golden import assert_golden


def by_address(plan: Plan) -> dict[str, dict[str, Any]]:
    document = json.loads(render_json(plan))
    return {rc["address"]: rc for rc in document["resource_changes"]}


@pytest.mark.parametrize(
    ("name", "make"),
    [("every_action", fx.every_action_plan), ("no_changes", fx.no_changes_plan)],
)
def test_golden_json(name: str, make: Callable[[], Plan]) -> None:
    assert_golden(f"{name}.json", render_json(make(), pretty=True))


def test_top_level_shape() -> None:
    document = json.loads(render_json(fx.every_action_plan()))
    assert document["format_version"] == "1.2"
    assert document["terraform_version"] == "1.9.0"
    assert document["reconciler_format_version"] == 2
    assert document["reconciler_plan_version"] == 5
    assert document["applyable"] is True
    assert document["errored"] is False
    assert document["summary"] == {
        "create": 3,
        "update": 5,
        "replace": 3,
        "destroy": 2,
        "no_op": 5,
        "move": 1,
        "forget": 1,
        "restore": 1,
    }
    assert document["state"] == {"serial": 7, "lineage": fx.LINEAGE}
    assert document["refreshed"] is True
    assert document["destroy"] is False
    assert document["targets"] == []
    assert len(document["resource_changes"]) == 20  # no-op changes included, as Terraform does
    assert json.loads(render_json(fx.no_changes_plan()))["applyable"] is False


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        (Action.CREATE, ["create"]),
        (Action.RESUME, ["update"]),
        (Action.UPDATE, ["update"]),
        (Action.REPLACE, ["delete", "create"]),
        (Action.DELETE, ["delete"]),
        (Action.NOOP, ["no-op"]),
    ],
)
def test_actions_vocabulary(action: Action, expected: list[str]) -> None:
    changes = [c for c in fx.every_action_plan().changes if c.action is action]
    assert changes
    for rc in by_address(fx.every_action_plan()).values():
        if rc["reconciler_action"] == action.value:
            assert rc["change"]["actions"] == expected


# Terraform's ResourceInstanceChangeActionReason values (internal/command/jsonplan/plan.go).
TERRAFORM_REASONS = {
    "replace_because_cannot_update",
    "replace_because_tainted",
    "replace_by_request",
    "replace_by_triggers",
    "delete_because_no_resource_config",
    "delete_because_wrong_repetition",
    "delete_because_count_index",
    "delete_because_each_key",
    "delete_because_no_module",
    "delete_because_no_move_target",
    "read_because_config_unknown",
    "read_because_dependency_pending",
    "read_because_check_nested",
}


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        (Reason.ATTRIBUTES, "replace_because_cannot_update"),
        (Reason.TAINTED, "replace_because_tainted"),
        (Reason.FORCED, "replace_by_request"),
        (Reason.REMOVED, "delete_because_no_resource_config"),
        (Reason.DRIFT, None),
        (Reason.UNFINISHED, None),
        (Reason.NEW, None),
        (Reason.DESTROY, None),
        (Reason.AUDIT_FAILED, None),
        (Reason.RECYCLE_BIN, None),
    ],
)
def test_action_reason(reason: Reason, expected: str | None) -> None:
    changes = [
        rc
        for rc in by_address(fx.every_action_plan()).values()
        if rc["reconciler_reason"] == reason.value
    ]
    assert changes
    for rc in changes:
        assert rc.get("action_reason") == expected
        assert ("action_reason" in rc) is (expected is not None)  # absent, as in Terraform


def test_action_reason_holds_only_terraforms_words() -> None:
    reasons = {rc.get("action_reason") for rc in by_address(fx.every_action_plan()).values()}
    assert reasons - {None} <= TERRAFORM_REASONS
    # Every reason of ours is still told, under our own key.
    ours = {rc["reconciler_reason"] for rc in by_address(fx.every_action_plan()).values()}
    assert len(ours) == len(Reason)


def test_change_block() -> None:
    changes = by_address(fx.every_action_plan())
    created, calm, old = changes["voice.gentle"], changes["voice.calm"], changes["voice.old"]
    assert created["change"]["before"] is None
    assert created["change"]["after_unknown"] == {"job_id": True}
    assert created["change"]["after_sensitive"] == {"phone": True}
    assert created["change"]["after"]["phone"] == fx.PHONE_FINGERPRINT
    assert calm["change"]["replace_paths"] == [["voice_name"]]
    assert calm["change"]["after_unknown"] == {"job_id": True}
    assert old["change"]["after"] is None
    assert old["change"]["before_sensitive"] == {"phone": True}
    assert old["change"]["after_unknown"] == {}
    assert old["remote"]["asset_id"] == "asset-old"
    assert created["type"] == "metastudio_voice"
    assert created["mode"] == "managed"
    assert created["provider_name"] == "reconciler/metastudio"
    assert changes["voice.retry"]["remote"]["audit_errors"] == [
        "background noise in 3 of 20 recordings"
    ]


def test_deterministic_sorted_and_newline_terminated() -> None:
    text = render_json(fx.every_action_plan())
    assert text == render_json(fx.every_action_plan())
    assert text.endswith("}\n") and text.count("\n") == 1  # one line, as Terraform writes it
    document = json.loads(text)
    compact = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert text == compact + "\n"
    pretty = render_json(fx.every_action_plan(), pretty=True)
    assert json.loads(pretty) == document
    assert pretty == json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_dict_form_matches_the_text() -> None:
    plan = fx.destroy_plan()
    assert json.loads(render_json(plan)) == plan_to_json_dict(plan)
    assert plan_to_json_dict(plan)["targets"] == ["voice.aria", "voice.g*"]


def test_empty_before_is_null() -> None:
    change = ResourceChange("voice.e", "e", Action.CREATE, Reason.NEW, {}, fx.spec("e"))
    assert by_address(fx.plan(change))["voice.e"]["change"]["before"] is None


def test_complete_only_for_a_whole_refreshed_plan() -> None:
    assert plan_to_json_dict(fx.every_action_plan())["complete"] is True
    assert plan_to_json_dict(fx.not_refreshed_plan())["complete"] is False
    assert plan_to_json_dict(fx.destroy_plan())["complete"] is False  # targeted


def test_resource_drift_lists_vanished_and_failed_jobs_only() -> None:
    document = plan_to_json_dict(fx.every_action_plan())
    drift = {d["address"]: d for d in document["resource_drift"]}
    reasons = {rc["address"]: rc["reconciler_reason"] for rc in document["resource_changes"]}
    vanished = [a for a, d in drift.items() if d["reconciler_drift"] == "vanished"]
    assert vanished == [a for a, r in reasons.items() if r == "drift"]
    for address in vanished:
        assert drift[address]["change"]["actions"] == ["delete"]
        assert drift[address]["change"]["after"] is None
        assert drift[address]["change"]["before"]["job_id"]
    broken = drift["voice.broken"]
    assert broken["reconciler_drift"] == "failed"
    assert broken["change"]["actions"] == ["update"]
    assert broken["change"]["after"]["remote_state"] == "FAILED"
    assert broken["change"]["after"]["failed_reason"] == "audio too short"
    assert {"address", "mode", "type", "name", "provider_name"} <= set(broken)
    # Jobs still training, or trained, are no drift.
    for rc in document["resource_changes"]:
        if rc["remote"]["state"] in ("SUCCEED", "CREATING", "TRAINING"):
            assert rc["address"] not in drift
    assert plan_to_json_dict(fx.not_refreshed_plan())["resource_drift"] == []


def test_an_in_place_update_is_a_terraform_update_naming_its_call() -> None:
    changes = by_address(fx.plan(fx.updated_in_place("quiet", voice_name="Hush"), fx.forced("x")))
    quiet = changes["voice.quiet"]
    assert quiet["change"]["actions"] == ["update"] and quiet["change"]["replace_paths"] == []
    assert quiet["reconciler_update_call"] == "UpdateDigitalAsset: asset_name"
    assert quiet["reconciler_reason"] == "in_place" and "action_reason" not in quiet
    assert "reconciler_update_call" not in changes["voice.x"]


def test_a_create_has_nothing_before_it_even_after_drift() -> None:
    document = plan_to_json_dict(fx.every_action_plan())
    for rc in document["resource_changes"]:
        if rc["change"]["actions"] == ["create"]:
            assert rc["change"]["before"] is None and rc["change"]["before_sensitive"] == {}
    drifted = [rc for rc in document["resource_changes"] if rc["reconciler_reason"] == "drift"]
    assert drifted
    # What the state held is told as drift, as Terraform tells it.
    drift = {d["address"]: d for d in document["resource_drift"]}
    for rc in drifted:
        assert drift[rc["address"]]["change"]["before"]["job_id"]


def test_planned_values_prior_state_and_configuration() -> None:
    plan = fx.every_action_plan()
    document = plan_to_json_dict(plan)
    changes = {c.address: c for c in plan.changes}
    gone = {a for a, c in changes.items() if c.action in (Action.DELETE, Action.FORGET)}
    planned = {r["address"]: r for r in document["planned_values"]["root_module"]["resources"]}
    assert set(planned) == set(changes) - gone and gone
    for address, resource in planned.items():
        assert resource["type"] == "metastudio_voice" and resource["mode"] == "managed"
        assert resource["values"] == changes[address].after
    assert planned["voice.gentle"]["sensitive_values"] == {"phone": True}

    prior = document["prior_state"]
    assert prior["format_version"] == "1.0" and prior["terraform_version"] == "1.9.0"
    held = {r["address"]: r for r in prior["values"]["root_module"]["resources"]}
    creates = {a for a, c in changes.items() if c.action.terraform_actions == ["create"]}
    assert set(held) == {a for a, c in changes.items() if c.before} - creates
    assert gone <= set(held)
    for address, resource in held.items():
        assert resource["values"] == changes[address].before

    configured = document["configuration"]["root_module"]["resources"]
    assert {r["address"] for r in configured} == set(planned)
    anchor = next(r for r in configured if r["address"] == "voice.gentle")
    assert anchor["expressions"]["voice_name"] == {
        "constant_value": changes["voice.gentle"].after["voice_name"]  # type: ignore[index]
    }
    assert anchor["provider_config_key"] in document["configuration"]["provider_config"]


def test_nothing_planned_has_empty_values_not_missing_keys() -> None:
    document = plan_to_json_dict(fx.plan())
    assert document["planned_values"] == {"root_module": {"resources": []}}
    assert document["prior_state"]["values"] == {"root_module": {"resources": []}}
    assert document["configuration"]["root_module"] == {"resources": []}
    assert document["diagnostics"] == [] and document["reconciler_diagnostics"] == []
