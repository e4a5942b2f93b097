"""The UI stream's messages built from plans: Terraform's words and counts, the schema's shape."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import pytest

from reconciler.plan.drift import drifts
from reconciler.plan.model import Action, PlanSummary
from reconciler.views import ui_messages as ui
from tests.plan import fixtures as fx

SCHEMA = json.loads(
    resources.files("reconciler").joinpath("schemas/ui-stream.schema.json").read_text("utf-8")
)


def valid(message: ui.Message) -> ui.Message:
    stamped = {**message, "@module": ui.MODULE, "@timestamp": "2026-01-02T03:04:05.000006+00:00"}
    jsonschema.validate(stamped, SCHEMA)
    return message


def test_every_planned_change_of_every_action_is_valid_and_in_terraforms_words() -> None:
    words = {}
    for change in fx.every_action_plan().changes:
        message = valid(ui.planned_change(change))
        words[change.action] = message["change"]["action"]
        assert message["change"]["resource"]["addr"] == change.address
        assert message["change"]["resource"]["resource_name"] == change.name
        assert message["@message"] == f"{change.address}: Plan to {message['change']['action']}"
    assert words == {
        Action.CREATE: "create",
        Action.RESUME: "update",
        Action.UPDATE: "update",
        Action.REPLACE: "replace",
        Action.DELETE: "delete",
        Action.FORGET: "remove",
        Action.NOOP: "noop",
        Action.RESTORE: "create",  # Terraform has no restore; reconciler_action says it
    }


def test_a_replacement_adds_one_and_removes_one() -> None:
    summary = PlanSummary(create=1, update=2, replace=3, destroy=4, noop=5)
    message = valid(ui.change_summary(summary, "plan"))
    assert message["changes"] == {
        "add": 4,
        "change": 2,
        "import": 0,
        "remove": 7,
        "operation": "plan",
    }
    assert message["@message"] == "Plan: 4 to add, 2 to change, 7 to destroy."
    done = valid(ui.applied_summary({"created": 1, "replaced": 1, "destroyed": 2}, "apply"))
    assert done["changes"]["add"] == 2 and done["changes"]["remove"] == 3


def test_drift_messages() -> None:
    found = drifts(fx.every_action_plan())
    assert found
    for drift in found:
        message = valid(ui.resource_drift(drift))
        assert message["change"]["action"] == ("delete" if drift.kind == "vanished" else "update")


@pytest.mark.parametrize("line", [None, 3])
def test_diagnostic_range_only_with_a_line(line: int | None) -> None:
    message = valid(
        ui.diagnostic("warning", "short", "voices.a.data", filename="v.yaml", line=line)
    )
    assert message["@level"] == "warn"
    if line is None:
        assert "range" not in message["diagnostic"]
        assert message["diagnostic"]["reconciler_file"] == "v.yaml"
    else:
        position = {"line": 3, "column": 1}
        assert message["diagnostic"]["range"] == {
            "filename": "v.yaml",
            "start": position,
            "end": position,
        }


def test_hooks() -> None:
    start = valid(ui.apply_start("voice.a", "delete", "job-1"))
    assert start["@message"] == "voice.a: Destroying... [id=job-1]"
    assert start["hook"]["id_key"] == "job_id"
    done = valid(ui.apply_complete("voice.a", "create", 61.7, "job-2"))
    assert done["@message"] == "voice.a: Creation complete after 61s [id=job-2]"
    assert done["hook"]["elapsed_seconds"] == 61
    errored = valid(ui.apply_errored("voice.a", "replace", 2.0))
    assert errored["@level"] == "error"
    assert valid(ui.refresh_complete("voice.a", None))["hook"].keys() == {"resource"}


def test_the_schema_rejects_what_terraform_would_not_send() -> None:
    bad = {**ui.apply_start("voice.a", "create", None), "@module": "terraform.ui"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**bad, "@timestamp": "2026-01-02T03:04:05.1Z"}, SCHEMA)
    with pytest.raises(jsonschema.ValidationError):
        valid({**ui.log("x"), "type": "nonsense"})


def test_an_in_place_update_names_its_call() -> None:
    in_place = fx.updated_in_place("quiet", description="Soft")
    block = valid(ui.planned_change(in_place))["change"]
    assert (block["action"], block["reconciler_reason"]) == ("update", "in_place")
    assert block["reconciler_update_call"] == "UpdateDigitalAsset: asset_description"
    resumed = valid(ui.planned_change(fx.unfinished("half")))["change"]
    assert "reconciler_update_call" not in resumed
