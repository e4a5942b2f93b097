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
    assert_golden(f"{name}.json", render_json(make()))


def test_top_level_shape() -> None:
    document = json.loads(render_json(fx.every_action_plan()))
    assert document["format_version"] == "1.2"
    assert document["reconciler_plan_version"] == 4
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


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        (Reason.ATTRIBUTES, "replace_because_cannot_update"),
        (Reason.TAINTED, "replace_because_tainted"),
        (Reason.FORCED, "replace_by_request"),
        (Reason.REMOVED, "delete_because_no_resource_config"),
        (Reason.DRIFT, "reconciler_drift"),
        (Reason.UNFINISHED, "reconciler_resume"),
        (Reason.NEW, "reconciler_new"),
        (Reason.DESTROY, "reconciler_destroy"),
        (Reason.AUDIT_FAILED, "reconciler_audit_failed"),
    ],
)
def test_action_reason(reason: Reason, expected: str) -> None:
    reasons = {
        rc["reconciler_reason"]: rc["action_reason"]
        for rc in by_address(fx.every_action_plan()).values()
    }
    assert reasons[reason.value] == expected


def test_every_reason_has_a_distinct_action_reason() -> None:
    reasons = [rc["action_reason"] for rc in by_address(fx.every_action_plan()).values()]
    assert len(set(reasons)) == len(Reason)


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
    assert text.endswith("}\n")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


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
    assert quiet["action_reason"] == "reconciler_in_place"
    assert "reconciler_update_call" not in changes["voice.x"]
