"""`reconciler status` confirms with check_voice_asset that each trained voice is usable."""

from __future__ import annotations

import json

from tests.e2e.conftest import Project
from tests.e2e.status_helpers import apply, operations, train
from tests.metastudio.conftest import make_client


def test_status_checks_each_trained_asset_and_names_an_unusable_one(project: Project) -> None:
    jobs = apply(project, "alpha", "beta", "gamma")
    train(project, jobs["alpha"])
    train(project, jobs["beta"])
    code, out, err = project.run("status")
    assert code == 0, err
    beta_asset = project.state()["voices"]["beta"]["asset_id"]
    with make_client(project.emulator.base_url) as client:
        client.delete_asset(beta_asset)  # by hand, in the console say
    project.admin("DELETE", "/stats")

    code, out, err = project.run("status")
    assert code == 0, err
    lines = out.splitlines()
    row = {line.split()[0]: i for i, line in enumerate(lines) if line.startswith("voice.")}
    assert lines[row["voice.alpha"] + 1] == "    asset checked: usable for speech synthesis"
    assert lines[row["voice.beta"] + 1] == f"    asset not usable: Asset not found: {beta_asset}"
    assert not lines[row["voice.gamma"] + 1].startswith("    asset")
    # One check per trained voice; the untrained one costs none.
    assert operations(project)["check_voice_asset"] == 2

    code, out, _ = project.run("status", "--format", "json")
    voices = {v["name"]: v for v in json.loads(out)["voices"]}
    assert (voices["alpha"]["asset_usable"], voices["alpha"]["asset_problem"]) == (True, None)
    assert voices["beta"]["asset_usable"] is False
    assert voices["beta"]["asset_problem"] == f"Asset not found: {beta_asset}"
    assert voices["gamma"]["asset_usable"] is None


def test_status_wait_checks_the_assets_once_training_is_over(project: Project) -> None:
    jobs = apply(project, "alpha")
    train(project, jobs["alpha"])
    project.admin("DELETE", "/stats")
    code, out, err = project.run("status", "--wait", "--no-preview", "--poll-interval", "0.01")
    assert code == 0, out + err
    assert "    asset checked: usable for speech synthesis" in out.splitlines()
    assert operations(project)["check_voice_asset"] == 1
