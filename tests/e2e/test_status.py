"""reconciler status end to end: the table, JSON, --wait and its exit codes, against the emulator.

Jobs here move only through the emulator's admin endpoints.
"""

from __future__ import annotations

import json
from functools import partial

from tests.e2e.conftest import Project
from tests.e2e.status_helpers import apply, between_polls, config, operations, train


def test_before_apply_every_voice_is_not_created(project: Project) -> None:
    project.write_config(config("alpha", "beta"))
    code, out, _ = project.run("status")
    assert code == 0
    assert out.splitlines()[1:3] == [
        "voice.alpha  (not created; run apply)",
        "voice.beta   (not created; run apply)",
    ]
    assert "2 voices: 2 not created." in out


def test_table_json_and_wait_over_mixed_states(project: Project) -> None:
    jobs = apply(project, "alpha", "beta", "gamma")
    project.write_config(config("alpha", "beta", "gamma", "delta"))  # delta never applied
    train(project, jobs["alpha"])
    project.admin(
        "POST", f"/jobs/{jobs['beta']}/fail", {"state": "AUDIT_FAILED", "reason": "noisy"}
    )
    project.admin("POST", f"/jobs/{jobs['gamma']}/fail", {"reason": "training diverged"})

    code, out, err = project.run("status")
    assert code == 0, err
    asset = project.state()["voices"]["alpha"]["asset_id"]
    assert asset and project.state()["voices"]["beta"]["remote_state"] == "AUDIT_FAILED"
    lines = out.splitlines()
    assert lines[0].split() == ["VOICE", "JOB", "ID", "STATE", "ASSET", "ID"]
    assert lines[1].split() == ["voice.alpha", jobs["alpha"], "SUCCEED", asset]
    assert lines[2] == "    asset checked: usable for speech synthesis"
    assert lines[3] == "    preview: not made yet; `reconciler status --wait` makes it"
    assert lines[4].split() == ["voice.beta", jobs["beta"], "AUDIT_FAILED", "—"]
    assert "    audit: review: noisy" in lines
    assert "    reason: training diverged" in lines
    assert "voice.delta  (not created; run apply)" in lines
    assert lines[-1] == "4 voices: 1 AUDIT_FAILED, 1 FAILED, 1 SUCCEED, 1 not created."
    assert "create_tts_audition" not in operations(project)  # plain status spends nothing

    code, out, _ = project.run("status", "--format", "json", "--target", "voice.[ag]*")
    document = json.loads(out)
    assert [v["state"] for v in document["voices"]] == ["SUCCEED", "FAILED"]
    assert document["voices"][1]["failed_reason"] == "training diverged"
    assert document["all_succeeded"] is False

    code, out, err = project.run("status", "--wait", "--poll-interval", "0.01")
    assert code == 1
    assert "Waiting" not in out  # everything had settled: no progress, just the table
    assert "voice.alpha: preview saved: .reconciler/previews/alpha/0.wav" in out
    assert err.splitlines() == [
        "Error: voice.beta: AUDIT_FAILED; audit: review: noisy",
        "Error: voice.delta: not created; run `reconciler apply`",
        "Error: voice.gamma: FAILED: training diverged",
    ]
    assert operations(project)["create_tts_audition"] == 1


def test_wait_follows_training_and_fails_with_the_reason(project: Project) -> None:
    jobs = apply(project, "alpha", "beta")
    advance = partial(project.admin, "POST", f"/jobs/{jobs['alpha']}/advance")
    fail = partial(
        project.admin, "POST", f"/jobs/{jobs['beta']}/fail", {"reason": "training diverged"}
    )
    driver = between_polls(project, [advance, advance, fail, advance, advance, advance], 2)
    code, out, err = project.run(
        "status", "--wait", "--no-preview", "--poll-interval", "0.01", "--timeout", "30"
    )
    driver.join(5)
    assert code == 1, out + err
    assert "Waiting for 2 of 2 voices to finish training..." in out
    for change in ("SYSTEM_AUDITING -> AUDITING", "AUDITING -> WAITING", "UPLOADING -> SUCCEED"):
        assert f"voice.alpha: {change}" in out
    assert "voice.beta: SYSTEM_AUDITING -> FAILED" in out
    assert err.strip() == "Error: voice.beta: FAILED: training diverged"
    voices = project.state()["voices"]
    assert voices["alpha"]["remote_state"] == "SUCCEED" and voices["alpha"]["asset_id"]
    assert not (project.root / ".reconciler" / "previews").exists()  # --no-preview


def test_wait_times_out_listing_who_is_still_training(project: Project) -> None:
    apply(project, "alpha")
    code, out, err = project.run("status", "--wait", "--timeout", "0.2", "--poll-interval", "0.05")
    assert code == 1
    assert "voice.alpha: SYSTEM_AUDITING" in out and "1 voice: 1 SYSTEM_AUDITING." in out
    assert "timed out after 0.2 s; still in progress: voice.alpha (SYSTEM_AUDITING)" in err


def test_unknown_target_is_refused(project: Project) -> None:
    project.write_config(config("alpha"))
    code, _, err = project.run("status", "--target", "voice.nope")
    assert code == 1 and "--target voice.nope: matches no voice" in err
