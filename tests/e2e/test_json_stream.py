"""`--json`: Terraform's machine-readable UI stream, from real runs against the emulator.

Every line of stdout must be one JSON object valid against the schema shipped in the
package; nothing else may reach stdout, errors included.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from typing import Any

import jsonschema
import pytest

from reconciler.emulator.faults import FaultPlan
from tests.e2e.conftest import Project
from tests.e2e.test_plan_tampering import jobs_of
from tests.metastudio.conftest import make_client

SCHEMA = json.loads(
    resources.files("reconciler").joinpath("schemas/ui-stream.schema.json").read_text("utf-8")
)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
TYPES = set(SCHEMA["properties"]["type"]["enum"])
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$")


Messages = list[dict[str, Any]]


def stream(project: Project, *argv: str) -> tuple[int, Messages, str]:
    """Run with --json; every stdout line is checked against the shipped schema."""
    code, out, err = project.run(*argv, "--json")
    lines = out.splitlines()
    assert lines, f"no output; stderr: {err}"
    messages = [json.loads(line) for line in lines]
    for message in messages:
        VALIDATOR.validate(message)
        assert message["@module"] == "reconciler.ui"
        assert TIMESTAMP.match(message["@timestamp"]), message["@timestamp"]
    assert messages[0]["type"] == "version"
    assert messages[0]["ui"] == "1.2"
    assert [m["type"] for m in messages].count("version") == 1
    return code, messages, err


def of(messages: Messages, kind: str) -> Messages:
    return [m for m in messages if m["type"] == kind]


def by_addr(messages: Messages, kind: str, block: str = "hook") -> dict[str, dict[str, Any]]:
    return {m[block]["resource"]["addr"]: m for m in of(messages, kind)}


def test_plan_apply_status_drift_destroy_cover_every_message_type(project: Project) -> None:
    seen: set[str] = set()

    code, plan, _ = stream(project, "plan")
    seen |= {m["type"] for m in plan}
    assert code == 0
    planned = by_addr(plan, "planned_change", "change")
    assert sorted(planned) == [
        "voice.adv-pkg",
        "voice.basic-dir",
        "voice.basic-seg",
        "voice.premium",
        "voice.third",
    ]
    resource = planned["voice.premium"]["change"]["resource"]
    assert resource["resource_type"] == "metastudio_voice"
    assert resource["resource_name"] == "premium"
    assert {m["change"]["action"] for m in planned.values()} == {"create"}
    assert of(plan, "change_summary")[-1]["changes"] == {
        "add": 5,
        "change": 0,
        "import": 0,
        "remove": 0,
        "operation": "plan",
    }
    # Preflight warnings (sentences under 5 s) are diagnostics too, located in the YAML.
    warning = of(plan, "diagnostic")[0]["diagnostic"]
    assert warning["severity"] == "warning"
    assert warning["range"]["filename"] == "voices.yaml"
    assert warning["range"]["start"]["line"] > 1
    assert warning["address"] in planned  # each one names its voice

    code, applied, _ = stream(project, "apply", "--auto-approve")
    seen |= {m["type"] for m in applied}
    assert code == 0
    jobs = {name: record["job_id"] for name, record in project.state()["voices"].items()}
    complete = by_addr(applied, "apply_complete")
    assert len(complete) == 5
    for address, message in complete.items():
        hook = message["hook"]
        assert hook["action"] == "create"
        assert hook["id_key"] == "job_id"
        assert hook["id_value"] == jobs[address.removeprefix("voice.")]
        assert isinstance(hook["elapsed_seconds"], int)
    assert set(by_addr(applied, "apply_start")) == set(complete)
    progress = [m["hook"] for m in of(applied, "apply_progress")]
    uploads = [h["reconciler_upload"] for h in progress if "reconciler_upload" in h]
    finished = [u for u in uploads if u["bytes_done"] == u["bytes_total"] > 0]
    assert finished, "upload progress reaches every upload's size"
    assert of(applied, "change_summary")[-1]["changes"]["operation"] == "apply"
    assert of(applied, "change_summary")[-1]["changes"]["add"] == 5

    code, status, _ = stream(project, "status")
    seen |= {m["type"] for m in status}
    assert code == 0
    refreshed = by_addr(status, "refresh_complete")
    assert refreshed["voice.third"]["hook"]["id_value"] == jobs["third"]
    assert refreshed["voice.third"]["hook"]["reconciler_status"]["state"] == "SYSTEM_AUDITING"

    # Outside reconciler: one job deleted (as in the console), one failed in training.
    with make_client(project.emulator.base_url) as client:
        client.delete_job(jobs["third"])
    project.admin("POST", f"/jobs/{jobs['premium']}/fail", {"reason": "training diverged"})
    code, drifted, _ = stream(project, "plan", "--detailed-exitcode")
    seen |= {m["type"] for m in drifted}
    assert code == 2
    drift = by_addr(drifted, "resource_drift", "change")
    assert drift["voice.third"]["change"]["action"] == "delete"
    assert drift["voice.third"]["change"]["reconciler_drift"] == "vanished"
    assert drift["voice.premium"]["change"]["action"] == "update"
    assert drift["voice.premium"]["change"]["reconciler_remote_state"] == "FAILED"
    assert sorted(drift) == ["voice.premium", "voice.third"]
    replan = by_addr(drifted, "planned_change", "change")
    assert replan["voice.premium"]["change"]["action"] == "replace"
    assert replan["voice.premium"]["change"]["reason"] == "tainted"
    assert replan["voice.third"]["change"]["action"] == "create"

    code, out, _ = project.run("plan", "--format", "json")
    document = json.loads(out)
    assert document["complete"] is True
    assert [d["address"] for d in document["resource_drift"]] == ["voice.premium", "voice.third"]

    code, destroyed, _ = stream(project, "destroy", "--auto-approve", "--target", "voice.adv-pkg")
    seen |= {m["type"] for m in destroyed}
    assert code == 0
    hook = by_addr(destroyed, "apply_complete")["voice.adv-pkg"]["hook"]
    assert (hook["action"], hook["id_value"]) == ("delete", jobs["adv-pkg"])
    assert of(destroyed, "change_summary")[-1]["changes"]["operation"] == "destroy"
    assert of(destroyed, "change_summary")[-1]["changes"]["remove"] == 1

    # apply_errored and log come from the tests below.
    assert seen == TYPES - {"apply_errored", "log"}


def test_a_failing_voice_is_apply_errored_with_an_error_diagnostic(project: Project) -> None:
    # Every premium create answers 500 (the others succeed): after its recovery lookups
    # find no job, the voice fails and the others are applied.
    project.emulator.set_faults(FaultPlan.parse({"create_advance_job": {"error_500": 1.0}}))
    code, messages, _ = stream(project, "apply", "--auto-approve")
    assert code == 1  # as documented: a failed voice
    errored = by_addr(messages, "apply_errored")
    assert list(errored) == ["voice.premium"]
    assert errored["voice.premium"]["@level"] == "error"
    assert errored["voice.premium"]["hook"]["action"] == "create"
    errors = [m["diagnostic"] for m in of(messages, "diagnostic") if m["@level"] == "error"]
    assert [e.get("address") for e in errors] == ["voice.premium"]
    assert errors[0]["summary"] == "Failed to create voice.premium"
    assert "creates had no clear outcome" in errors[0]["detail"]
    assert len(by_addr(messages, "apply_complete")) == 4
    assert of(messages, "change_summary")[-1]["changes"]["add"] == 4


def test_status_wait_reports_a_failed_training_as_a_diagnostic(project: Project) -> None:
    assert project.run("apply", "--auto-approve")[0] == 0
    job = project.state()["voices"]["basic-dir"]["job_id"]
    project.admin("POST", f"/jobs/{job}/fail", {"reason": "training diverged"})
    for other, record in project.state()["voices"].items():
        if other != "basic-dir":
            project.admin("POST", f"/jobs/{record['job_id']}/fail", {"reason": "later"})
    code, messages, _ = stream(
        project, "status", "--wait", "--timeout", "5", "--poll-interval", "0.05"
    )
    assert code == 1
    errors = {m["diagnostic"].get("address"): m["diagnostic"] for m in of(messages, "diagnostic")}
    assert "training diverged" in errors["voice.basic-dir"]["summary"]


@pytest.mark.parametrize("verb", ["apply", "destroy"])
def test_apply_and_destroy_json_need_auto_approve(project: Project, verb: str) -> None:
    assert project.run("apply", "--auto-approve", "--target", "voice.third")[0] == 0
    before = jobs_of(project)
    code, messages, err = stream(project, verb)
    assert code == 1
    assert [m["type"] for m in messages] == ["version", "diagnostic"]
    assert messages[1]["diagnostic"]["summary"] == f"{verb} --json cannot ask for approval"
    assert jobs_of(project) == before  # nothing created, nothing deleted
    assert err == ""


def test_config_errors_are_diagnostics_with_their_range(project: Project) -> None:
    text = (project.root / "voices.yaml").read_text(encoding="utf-8")
    (project.root / "voices.yaml").write_text(text.replace("tag: NEWS", "tag: SPORTS"))
    code, messages, _ = stream(project, "plan")
    assert code == 1
    (diagnostic,) = [m["diagnostic"] for m in of(messages, "diagnostic")]
    assert diagnostic["severity"] == "error"
    assert diagnostic["detail"] == "voices.basic-dir.tag"
    assert diagnostic["range"]["filename"] == "voices.yaml"
    line = text.splitlines().index("    tag: NEWS") + 1
    assert diagnostic["range"]["start"] == {"line": line, "column": 10}


def test_a_bad_command_line_is_a_diagnostic(project: Project) -> None:
    code, messages, err = stream(project, "plan", "--target")
    assert code == 1
    assert [m["type"] for m in messages] == ["version", "diagnostic"]
    assert "--target" in messages[1]["diagnostic"]["summary"]
    assert err == ""


@pytest.mark.parametrize("verb", ["plan", "status"])
def test_without_json_nothing_changes(project: Project, verb: str) -> None:
    code, out, _ = project.run(verb)
    assert code == 0
    assert not out.startswith("{")


def test_a_saved_plan_applies_with_json_without_auto_approve(project: Project) -> None:
    assert project.run("plan", "--out", "voices.plan")[0] == 0
    code, messages, _ = stream(project, "apply", "voices.plan")
    assert code == 0
    assert not of(messages, "planned_change")  # the plan was reviewed when it was made
    assert len(by_addr(messages, "apply_complete")) == 5
    code, messages, _ = stream(project, "apply", "voices.plan")
    assert code == 1  # applied already: the saved plan is stale now
    (diagnostic,) = [m["diagnostic"] for m in of(messages, "diagnostic") if m["@level"] == "error"]
    assert "stale" in diagnostic["summary"]
    assert diagnostic["detail"].startswith("run `reconciler plan --out FILE` again")
