"""state list / show / rm: read the state without credentials, forget voices, keep their jobs."""

from __future__ import annotations

import json

from reconciler.state import LocalStateBackend, State, VoiceRecord, phone_fingerprint
from tests.e2e.conftest import Project
from tests.e2e.test_import import seed

NOW = "2024-05-01T12:00:00Z"


def imported(project: Project) -> None:
    """Two voices recorded the quick way: jobs seeded in the emulator, then imported."""
    seed(project)
    seed(project, job_id="third-job", job_type="THIRD_PARTY", voice_name="Third", sex="FEMALE")
    for address, job_id in (("voice.premium", "adopt-me"), ("voice.third", "third-job")):
        code, out, err = project.run("import", address, job_id)
        assert code == 0, out + err


def test_list_and_show_read_the_state_without_credentials(project: Project) -> None:
    code, out, _ = project.run("state", "list")
    assert code == 0 and out.startswith("The state has no voices")

    imported(project)
    project.environ.pop("HUAWEICLOUD_SDK_SK")
    code, out, err = project.run("state", "list")
    assert code == 0, err
    premium, third = out.splitlines()
    asset = project.state()["voices"]["premium"]["asset_id"]
    assert premium.split() == ["voice.premium", "adopt-me", "submitted", "SUCCEED", asset]
    assert third.split()[:4] == ["voice.third", "third-job", "submitted", "SUCCEED"]
    assert premium.index("adopt-me") == third.index("third-job")  # aligned columns

    code, out, _ = project.run("state", "show", "voice.premium")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "# voice.premium"
    assert 'job_id          = "adopt-me"' in lines and "prevent_destroy = false" in lines
    assert "spec:" in lines and '  voice_name  = "Premium"' in lines

    code, out, _ = project.run("state", "show", "voice.premium", "--format", "json")
    document = json.loads(out)
    assert code == 0 and document["job_id"] == "adopt-me" and document["spec"]["sex"] == "MALE"

    code, _, err = project.run("state", "show", "voice.premum")
    assert (
        code == 1
        and "voice.premum is not a voice in the state (did you mean voice.premium?)" in err
    )


def test_pending_create_and_phone_are_shown_safely(project: Project) -> None:
    backend = LocalStateBackend(project.state_path)
    state = State.new()
    fingerprint = phone_fingerprint("+8613800138000", state.lineage)
    pending = VoiceRecord(
        name="premium",
        edition="premium",
        job_type="ADVANCE",
        phase=None,
        created_at=NOW,
        updated_at=NOW,
        spec={"voice_name": "Premium", "phone": fingerprint},
        create_attempt={"started_at": NOW, "voice_name": "Premium"},
    )
    backend.write(state.with_voice(pending))

    code, out, _ = project.run("state", "list")
    assert code == 0 and out.split() == ["voice.premium", "(no", "job", "yet)", "-", "-", "-"]

    for argv in (
        ("state", "show", "voice.premium"),
        ("state", "show", "voice.premium", "--format=json"),
    ):
        code, out, _ = project.run(*argv)
        assert code == 0 and "(sensitive value)" in out
        assert fingerprint not in out and "13800138000" not in out
    assert json.loads(out)["spec"]["phone"] == "(sensitive value)"

    # Forgetting it would leave the job its create may have made recorded nowhere.
    code, out, err = project.run("state", "rm", "voice.premium")
    assert code == 1 and out == "", out
    assert "voice.premium has no job ID" in err and "named 'Premium'" in err
    assert "reconciler destroy --target voice.premium" in err and "reconciler import" in err
    assert "unexpected" not in err and "Traceback" not in err
    assert list(project.state()["voices"]) == ["premium"]


def test_rm_forgets_voices_but_keeps_their_jobs(project: Project) -> None:
    imported(project)
    code, out, err = project.run("state", "rm", "voice.premium", "voice.third", ".")
    assert code == 0, err
    assert out.splitlines() == [
        "Removed voice.premium from the state; job adopt-me still exists in MetaStudio "
        "(adopt it again with `reconciler import voice.premium adopt-me`).",
        "Removed voice.third from the state; job third-job still exists in MetaStudio "
        "(adopt it again with `reconciler import voice.third third-job`).",
    ]
    assert project.state()["voices"] == {}
    assert {j["job_id"] for j in project.jobs()} == {"adopt-me", "third-job"}

    code, _, _ = project.run("import", "voice.premium", "adopt-me")  # the way back works
    assert code == 0 and list(project.state()["voices"]) == ["premium"]


def test_rm_is_all_or_nothing(project: Project) -> None:
    imported(project)
    before = project.state()
    code, out, err = project.run("state", "rm", "voice.premium", "voice.basic-dir")
    assert code == 1 and out == ""
    assert "voice.basic-dir is not a voice in the state" in err
    assert "voice.premium, voice.third" in err
    assert project.state() == before  # not even the serial moved


def test_state_usage_errors_are_one_line(project: Project) -> None:
    for argv, message in (
        (("state",), "reconciler state: the following arguments are required: SUBCOMMAND"),
        (("state", "bogus"), "invalid choice: 'bogus'"),
        (("state", "show"), "reconciler state show: the following arguments are required: ADDR"),
        (("state", "rm"), "reconciler state rm: the following arguments are required: ADDR"),
        (("state", "list", "--bogus"), "unrecognized arguments: --bogus"),
    ):
        code, out, err = project.run(*argv)
        assert code == 1 and out == "", argv
        assert err.startswith("Error: ") and message in err and len(err.splitlines()) == 1, err
