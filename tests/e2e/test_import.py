"""import end to end: adopt a job made outside reconciler, then plan and apply manage it."""

from __future__ import annotations

from typing import Any

from reconciler.state import LocalStateBackend, State, VoiceRecord
from tests.e2e.conftest import Project

# voice.premium of the five-voice config: premium edition, sex MALE, language CN, a dir.
PREMIUM = {
    "job_id": "adopt-me",
    "job_type": "ADVANCE",
    "voice_name": "Premium",
    "sex": "MALE",
    "language": "CN",
    "create_type": "PACKAGE",
    "state": "SUCCEED",
}


def seed(project: Project, **changes: Any) -> str:
    job = {**PREMIUM, **changes}
    project.admin("POST", "/jobs", [job])
    return str(job["job_id"])


def test_import_a_matching_job_then_plan_shows_no_changes(project: Project) -> None:
    seed(project)
    code, out, err = project.run("import", "voice.premium", "adopt-me")
    assert code == 0, out + err
    assert out.splitlines()[0] == "Imported voice.premium: job adopt-me (SUCCEED)."
    assert "the next plan assumes the job was trained on the data in your configuration" in out

    record = project.state()["voices"]["premium"]
    job = project.jobs()[0]
    assert (record["job_id"], record["phase"], record["remote_state"]) == (
        "adopt-me",
        "submitted",
        "SUCCEED",
    )
    assert record["asset_id"] == job["asset_id"] and record["asset_id"]
    assert record["data_digest"].startswith("sha256:")
    assert record["create_attempt"] is None and record["prevent_destroy"] is False

    code, out, _ = project.run("plan", "--detailed-exitcode", "--target", "voice.premium")
    assert code == 0, out
    assert "No changes." in out and "Training: 1 SUCCEED." in out


def test_attributes_the_job_reports_come_from_the_job(project: Project) -> None:
    seed(project, sex="FEMALE")
    assert project.run("import", "voice.premium", "adopt-me")[0] == 0
    assert project.state()["voices"]["premium"]["spec"]["sex"] == "FEMALE"
    code, out, _ = project.run("plan", "--detailed-exitcode", "--target", "voice.premium")
    assert code == 2
    assert "voice.premium must be replaced" in out and '"FEMALE" -> "MALE"' in out


def test_a_creating_job_is_finished_by_the_next_apply(project: Project) -> None:
    seed(project, state="CREATING")
    code, out, _ = project.run("import", "voice.premium", "adopt-me")
    assert code == 0 and "Imported voice.premium: job adopt-me (CREATING)." in out
    assert project.state()["voices"]["premium"]["phase"] == "created"

    code, out, err = project.run("apply", "--auto-approve", "--target", "voice.premium")
    assert code == 0, out + err
    assert "voice.premium will be resumed" in out
    [job] = project.jobs()
    assert job["job_id"] == "adopt-me" and job["state"] != "CREATING"
    assert project.state()["voices"]["premium"]["phase"] == "submitted"


def test_a_job_for_another_voice_name_or_edition_is_refused(project: Project) -> None:
    seed(project, job_id="other-name", voice_name="Someone Else")
    code, _, err = project.run("import", "voice.premium", "other-name")
    assert code == 1
    assert "job other-name is named 'Someone Else'" in err
    assert "declares voice_name 'Premium'" in err and "set voice_name: Someone Else" in err

    seed(project, job_id="other-edition", job_type="MIDDLE")
    code, _, err = project.run("import", "voice.premium", "other-edition")
    assert code == 1
    assert "job other-edition is a MIDDLE job" in err
    assert "declares edition 'premium' (job type ADVANCE)" in err
    assert "set edition: advanced at voices.yaml:" in err
    assert not project.state_path.exists()


def test_a_voice_or_job_already_recorded_is_refused(project: Project) -> None:
    seed(project)
    seed(project, job_id="second")
    assert project.run("import", "voice.premium", "adopt-me")[0] == 0

    code, _, err = project.run("import", "voice.premium", "adopt-me")
    assert code == 1 and "voice.premium already records job adopt-me: nothing to import" in err

    code, _, err = project.run("import", "voice.premium", "second")
    assert code == 1 and "voice.premium already records job adopt-me in the state" in err
    assert "`reconciler state rm voice.premium`" in err

    code, _, err = project.run("import", "voice.third", "adopt-me")
    assert code == 1 and "job adopt-me is already recorded for voice.premium" in err
    assert list(project.state()["voices"]) == ["premium"]


def test_an_unknown_job_or_address_is_refused(project: Project) -> None:
    code, _, err = project.run("import", "voice.premium", "no-such-job")
    assert code == 1 and "MetaStudio has no job no-such-job" in err

    code, _, err = project.run("import", "voice.premum", "adopt-me")
    assert code == 1
    assert "voice.premum is not a voice in the configuration" in err
    assert "did you mean voice.premium?" in err

    code, _, err = project.run("import", "premium", "adopt-me")
    assert code == 1 and "did you mean voice.premium?" in err

    code, _, err = project.run("import", "voice.zzzz", "adopt-me")
    assert code == 1
    assert "known addresses: voice.adv-pkg, voice.basic-dir, voice.basic-seg" in err
    assert not project.state_path.exists()


def test_a_pending_create_without_job_id_can_be_settled_by_import(project: Project) -> None:
    # What a create whose answer was lost leaves behind: the attempt, but no job ID.
    backend = LocalStateBackend(project.state_path)
    now = "2024-05-01T12:00:00Z"
    attempt = {"started_at": now, "voice_name": "Premium"}
    pending = VoiceRecord(
        name="premium",
        edition="premium",
        job_type="ADVANCE",
        phase=None,
        created_at=now,
        updated_at=now,
        create_attempt=attempt,
    )
    backend.write(State.new().with_voice(pending))
    seed(project)
    code, out, err = project.run("import", "voice.premium", "adopt-me")
    assert code == 0, out + err
    record = project.state()["voices"]["premium"]
    assert record["job_id"] == "adopt-me" and record["create_attempt"] is None
