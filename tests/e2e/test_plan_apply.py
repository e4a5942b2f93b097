"""plan and apply end to end: config on disk, CLI in-process, emulator over loopback."""

from __future__ import annotations

import json
from collections import Counter

from reconciler.operations.planfile import load_plan
from reconciler.speechlike import write_long_recording
from tests.e2e.conftest import PREMIUM_AND_THIRD, Project


def test_plan_then_apply_every_edition_and_upload_mode(project: Project) -> None:
    code, out, _ = project.run("plan", "--detailed-exitcode")
    assert code == 2, out
    assert "Plan: 5 to create, 0 to update, 0 to replace, 0 to destroy." in out

    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0, out + err
    assert "Apply complete: 5 created, 0 updated, 0 replaced, 0 destroyed." in out

    jobs = project.jobs()
    assert Counter(j["voice_name"] for j in jobs) == Counter(
        ["Basic Dir", "Basic Segments", "Advanced Package", "Premium", "Third"]
    )
    assert {j["job_type"] for j in jobs} == {"BASIC", "MIDDLE", "ADVANCE", "THIRD_PARTY"}
    state = project.state()
    for name, record in state["voices"].items():
        assert record["phase"] == "submitted", name
        assert record["job_id"] in {j["job_id"] for j in jobs}
        assert record["create_attempt"] is None
    by_type = {j["voice_name"]: j["create_type"] for j in jobs}
    assert by_type["Basic Segments"] == "SEGMENT" and by_type["Basic Dir"] == "PACKAGE"

    for job in jobs:  # review and training pass in the emulator
        while job["state"] != "SUCCEED":
            job = project.admin("POST", f"/jobs/{job['job_id']}/advance")
    code, out, _ = project.run("plan", "--detailed-exitcode")
    assert code == 0, out
    assert "No changes." in out and "Training: 5 SUCCEED." in out


def test_apply_refuses_without_a_terminal_or_auto_approve(project: Project) -> None:
    code, _, err = project.run("apply")
    assert code == 1
    assert "refusing to apply without confirmation" in err and "--auto-approve" in err
    assert project.jobs() == []


def test_saved_plan_applies_exactly_once(project: Project) -> None:
    code, out, _ = project.run("plan", "--out", "tfplan", "--target", "voice.premium")
    assert code == 0 and "reconciler apply tfplan" in out
    plan = load_plan(project.root / "tfplan")
    assert [c.address for c in plan.changes] == ["voice.premium"]
    assert (project.root / "tfplan").stat().st_mode & 0o777 == 0o600

    # The file carries its own selection: another on the command line is refused, not ignored.
    for flags in (("--exclude", "voice.premium"), ("--target", "voice.other"), ("--destroy",)):
        code, out, err = project.run("apply", "tfplan", *flags)
        assert code == 1 and err.count("\n") == 1, out + err
        assert f"{flags[0]} cannot be used when applying a saved plan" in err, err
        assert project.jobs() == []
    code, out, err = project.run("apply", "tfplan")
    assert code == 0, out + err
    assert [j["voice_name"] for j in project.jobs()] == ["Premium"]
    code, _, err = project.run("apply", "tfplan")  # the state moved on: stale
    assert code == 1 and "stale" in err and "serial" in err
    assert len(project.jobs()) == 1


def test_saved_plan_is_refused_when_the_data_changed(project: Project) -> None:
    assert project.run("plan", "--out", "tfplan")[0] == 0
    write_long_recording(project.root / "data" / "premium" / "recording.wav", 1, 4.0)
    code, _, err = project.run("apply", "tfplan")
    assert code == 1
    assert "stale" in err and "training data changed" in err
    assert project.jobs() == []


def test_plan_formats(project: Project) -> None:
    code, out, _ = project.run("plan", "--format", "json")
    document = json.loads(out)
    assert code == 0 and {tuple(c["change"]["actions"]) for c in document["resource_changes"]} == {
        ("create",)
    }
    code, out, _ = project.run("plan", "--format", "markdown")
    assert code == 0 and out.startswith("<!-- reconciler-plan -->")


def test_plan_without_refresh_needs_no_credentials(project: Project) -> None:
    project.environ.pop("HUAWEICLOUD_SDK_SK")
    code, _, err = project.run("plan")
    assert code == 1 and "credentials" in err
    code, out, _ = project.run("plan", "--refresh=false")
    assert code == 0 and "not refreshed" in out


def test_duplicate_voice_name_points_at_import(project: Project) -> None:
    project.admin(
        "POST",
        "/jobs",
        [
            {
                "job_id": "someone-elses",
                "job_type": "ADVANCE",
                "voice_name": "Premium",
                "state": "SUCCEED",
            }
        ],
    )
    code, _, err = project.run("plan")
    assert code == 1
    assert "reconciler import voice.premium someone-elses" in err


def test_no_secret_in_state_plan_or_output(project: Project) -> None:
    code, out1, err1 = project.run("plan", "--out", "tfplan")
    code, out2, err2 = project.run("apply", "tfplan")
    assert code == 0
    texts = [
        out1,
        err1,
        out2,
        err2,
        project.state_path.read_text(),
        (project.root / "tfplan").read_text(),
    ]
    for text in texts:
        assert project.environ["HUAWEICLOUD_SDK_SK"] not in text
        assert "Signature=" not in text and "AccessKeyId=" not in text


def test_an_orphan_job_is_shown_to_the_reviewer(project: Project) -> None:
    assert project.run("apply", "--auto-approve", "--target", "voice.premium")[0] == 0
    project.admin(
        "POST",
        "/jobs",
        [
            {
                "job_id": "left-behind",
                "job_type": "ADVANCE",
                "voice_name": "Premium",
                "state": "CREATING",
            }
        ],
    )
    code, out, _ = project.run("plan")
    assert code == 0
    assert "left-behind" in out and "no voice records" in out


def test_a_saved_plan_checks_again_only_the_data_it_sends_for_review(project: Project) -> None:
    """The plan checked every voice's data, and apply refuses it if any changed since; so
    apply checks again, with the tenant's limits of the moment, only what it submits."""
    thin = "    checks: {{min_total_seconds: 1, advised_total_seconds: 100000}}\n"
    project.write_config(PREMIUM_AND_THIRD + thin)  # voice.third's take is thinner than advised
    warning = "voices.third.data.package"
    code, out, err = project.run("plan", "--out", "tfplan", "--target", "voice.premium")
    assert code == 0 and warning in err, out + err  # the plan checks every voice
    code, out, err = project.run("apply", "tfplan")
    assert code == 0 and warning not in err, out + err  # voice.third is not sent
    assert project.run("plan", "--out", "tfplan")[0] == 0
    code, out, err = project.run("apply", "tfplan")
    assert code == 0 and "1 created" in out and warning in err, out + err
