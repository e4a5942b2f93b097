"""AUDIT_FAILED: the plan shows the review errors; new data is uploaded to the same job."""

from __future__ import annotations

from reconciler.speechlike import write_sentence_pairs
from tests.e2e.conftest import FIVE_VOICES, SECONDS, Project


def job_of(project: Project, name: str) -> dict[str, object]:
    job_id = project.state()["voices"][name]["job_id"]
    return next(j for j in project.jobs() if j["job_id"] == job_id)


def test_audit_failed_then_fixed_data_resubmits_the_same_job(project: Project) -> None:
    assert project.run("apply", "--auto-approve", "--target", "voice.basic-dir")[0] == 0
    job = job_of(project, "basic-dir")
    project.admin(
        "POST",
        f"/jobs/{job['job_id']}/fail",
        {"state": "AUDIT_FAILED", "reason": "7.wav: background noise"},
    )

    code, out, _ = project.run("plan", "--target", "voice.basic-dir", "--detailed-exitcode")
    assert code == 0, out  # nothing to do until the data changes
    assert "AUDIT_FAILED" in out and "change the training data" in out

    # re-record the sentences (different tones) and plan again
    write_sentence_pairs(project.root / "data" / "basic", 20, SECONDS + 0.5)
    code, out, _ = project.run("plan", "--target", "voice.basic-dir", "--detailed-exitcode")
    assert code == 2 and "Plan: 0 to create, 1 to update, 0 to replace, 0 to destroy." in out

    code, out, err = project.run("apply", "--auto-approve", "--target", "voice.basic-dir")
    assert code == 0, out + err
    resubmitted = job_of(project, "basic-dir")
    assert resubmitted["job_id"] == job["job_id"]  # the same job, no second one
    assert resubmitted["state"] == "SYSTEM_AUDITING"
    assert len(project.jobs()) == 1
    record = project.state()["voices"]["basic-dir"]
    assert record["phase"] == "submitted" and record["remote_state"] == "SYSTEM_AUDITING"


def test_audit_failed_with_only_an_attribute_change_says_it_must_wait(project: Project) -> None:
    assert project.run("apply", "--auto-approve", "--target", "voice.basic-dir")[0] == 0
    job = job_of(project, "basic-dir")
    project.admin("POST", f"/jobs/{job['job_id']}/fail", {"state": "AUDIT_FAILED"})
    project.write_config(FIVE_VOICES.replace("voice_name: Basic Dir", "voice_name: Basic Two"))

    code, out, err = project.run("plan", "--target", "voice.basic-dir", "--detailed-exitcode")
    assert code == 0, out + err  # nothing can be applied before the data changes
    assert "match the configuration" not in out, out
    assert "No changes can be applied now" in out
    assert "voice_name" in out and "resubmission" in out, out

    # The new name goes to MetaStudio with the resubmission of new data.
    write_sentence_pairs(project.root / "data" / "basic", 20, SECONDS + 0.5)
    code, out, err = project.run("apply", "--auto-approve", "--target", "voice.basic-dir")
    assert code == 0, out + err
    resubmitted = job_of(project, "basic-dir")
    assert resubmitted["job_id"] == job["job_id"] and resubmitted["voice_name"] == "Basic Two"
    code, out, _ = project.run("plan", "--target", "voice.basic-dir")
    assert code == 0 and "Your voices match the configuration" in out, out
