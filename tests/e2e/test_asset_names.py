"""A trained model is published under its voice_name, and the asset library refuses a second
live asset of a name (MSS.10001005): each path that makes a new model must free the name.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from reconciler.emulator import FaultPlan
from tests.e2e.conftest import ONE_PREMIUM, Project, config_head
from tests.e2e.test_destroy_assets import KEEP, listed, trained
from tests.e2e.test_interrupted_create import run_and_kill
from tests.e2e.test_plan_tampering import change_of, refused, saved, write
from tests.metastudio.conftest import make_client
from tests.metastudio.helpers import long_recording_zip

NAME_TAKEN = "MSS.10001005"
# A trained job nobody's state records: its asset holds the name "Premium".
LEFTOVER = {
    "job_id": "leftover",
    "job_type": "ADVANCE",
    "voice_name": "Premium",
    "sex": "FEMALE",
    "language": "CN",
    "create_type": "PACKAGE",
    "state": "SUCCEED",
}


def finish(project: Project, job_id: str) -> dict[str, Any]:
    """Advance the job through training until it ends, as the service would."""
    job = project.admin("POST", f"/jobs/{job_id}/advance")
    while job["state"] not in ("SUCCEED", "FAILED"):
        job = project.admin("POST", f"/jobs/{job_id}/advance")
    return dict(job)


def vanish(project: Project) -> tuple[str, str]:
    """Delete the recorded job behind the tool's back (the console does); its asset stays."""
    record = project.state()["voices"]["premium"]
    make_client(project.emulator.base_url).delete_job(record["job_id"])
    assert project.jobs() == [] and listed(project, record["asset_id"])
    return record["job_id"], record["asset_id"]


def test_the_emulator_refuses_to_publish_a_second_live_asset_of_a_name(
    project: Project, tmp_path: Path
) -> None:
    """The clash itself, which the plans below refuse to pay for."""
    project.admin("POST", "/jobs", [{**LEFTOVER, "job_id": "first"}])
    client = make_client(project.emulator.base_url)
    created = client.create_job("ADVANCE", {"voice_name": "Premium", "create_type": "PACKAGE"})
    assert created.uploads.package is not None
    client.upload(created.uploads.package, long_recording_zip(tmp_path / "d.zip"), "package")
    client.submit_job(created.job_id)
    job = finish(project, created.job_id)
    assert (job["state"], job["job_failed_code"]) == ("FAILED", NAME_TAKEN), job
    assert "Premium" in job["job_failed_reason"]


def no_job_is_made(project: Project, argv: tuple[str, ...], expected: str) -> str:
    """``argv`` exits 1 with ``expected`` on stderr; no job is created, no resource used."""
    jobs = sorted(job["job_id"] for job in project.jobs())
    quotas = make_client(project.emulator.base_url).show_voice_training_quotas().available
    code, out, err = project.run(*argv)
    assert code == 1, out + err
    assert expected in err, err
    assert "Traceback" not in err
    assert sorted(job["job_id"] for job in project.jobs()) == jobs
    assert make_client(project.emulator.base_url).show_voice_training_quotas().available == quotas
    return err


def test_replacing_a_keep_asset_voice_is_refused_before_any_job(project: Project) -> None:
    old_asset = trained(project, KEEP)
    expected = (
        f"voice.premium: its trained asset {old_asset} is kept and still holds the name, so a "
        "new model could not be published under voice_name 'Premium' (MSS.10001005)"
    )
    for argv in (
        ("plan", "--replace", "voice.premium"),
        ("apply", "--auto-approve", "--replace", "voice.premium"),
    ):
        err = no_job_is_made(project, argv, expected)
        assert "lifecycle.keep_asset: false" in err
    assert listed(project, old_asset)


def test_a_leftover_asset_of_the_name_is_refused_before_any_job(project: Project) -> None:
    """The job was deleted in the console, its asset is still live, the state knows neither."""
    project.admin("POST", "/jobs", [LEFTOVER])
    asset_id = make_client(project.emulator.base_url).show_job("leftover").asset_id
    make_client(project.emulator.base_url).delete_job("leftover")
    assert project.jobs() == [] and asset_id and listed(project, asset_id)
    project.write_config(ONE_PREMIUM)
    expected = f"voice.premium: the asset library already has a live asset {asset_id} named"
    for argv in (("plan",), ("apply", "--auto-approve")):
        err = no_job_is_made(project, argv, expected)
        assert "reconciler import voice.premium JOB_ID" in err
    assert not project.state_path.exists() or "premium" not in project.state()["voices"]
    # Once the asset is in the recycle bin, the name is free and the voice is created.
    make_client(project.emulator.base_url).delete_asset(asset_id)
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0 and "1 created" in out, out + err


def test_asset_names_are_looked_up_one_page_at_a_time_not_one_voice_at_a_time(
    project: Project,
) -> None:
    project.admin(
        "POST",
        "/jobs",
        [{**LEFTOVER, "voice_name": f"Other {i}", "job_id": f"o{i}"} for i in range(150)],
    )
    voices = "".join(
        f"  v{i}:\n    edition: premium\n    voice_name: V{i}\n"
        "    data: {{dir: data/premium}}\n"
        for i in range(5)
    )
    project.write_config(config_head() + voices)
    project.admin("DELETE", "/stats")
    code, out, err = project.run("plan")
    assert code == 0 and "5 to create" in out, out + err
    # 150 assets: two pages, whichever voice asks; never one listing per voice.
    assert project.admin("GET", "/stats")["operations"].get("list_assets") == 2


def test_replace_frees_the_name_for_the_new_model(project: Project) -> None:
    old_asset = trained(project)
    code, out, err = project.run("apply", "--auto-approve", "--replace", "voice.premium")
    assert code == 0, out + err
    job = finish(project, project.state()["voices"]["premium"]["job_id"])
    assert job["state"] == "SUCCEED" and job["asset_id"] not in (None, old_asset), job
    # The old asset waits in the recycle bin, which does not hold the name.
    assert not listed(project, old_asset) and listed(project, job["asset_id"])


def test_a_vanished_jobs_asset_is_deleted_before_the_voice_is_created_again(
    project: Project,
) -> None:
    trained(project)
    old_job, old_asset = vanish(project)
    note = f"the vanished job's trained asset {old_asset} will be deleted first"
    code, out, _ = project.run("plan")
    assert code == 0 and "no longer exists remotely" in out and note in out, out
    code, out, _ = project.run("plan", "--format", "json")
    (change,) = json.loads(out)["resource_changes"]
    assert any(n.startswith(note) for n in change["notes"]), change
    steps = change_of(saved(project), "premium")["steps"]
    assert steps == ["delete_asset", "create", "upload", "submit"], steps

    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0, out + err
    assert out.index(f"deleting asset {old_asset}") < out.index("creating"), out
    record = project.state()["voices"]["premium"]
    assert record["job_id"] != old_job and record["asset_id"] is None
    assert not listed(project, old_asset)
    job = finish(project, record["job_id"])
    assert job["state"] == "SUCCEED", job


def test_a_kill_during_that_delete_is_finished_by_the_next_apply(project: Project) -> None:
    trained(project)
    old_job, old_asset = vanish(project)
    project.emulator.set_faults(FaultPlan.parse({"delete_asset": {"latency": 1}}))
    argv = ["apply", "--auto-approve"]
    run_and_kill(project, argv, f"deleting asset {old_asset}", "delete_asset")
    project.emulator.set_faults(FaultPlan())
    # The held request is carried out once its latency is over, after the client died.
    deadline = time.monotonic() + 10
    while listed(project, old_asset) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not listed(project, old_asset) and project.jobs() == []
    record = project.state()["voices"]["premium"]
    assert (record["job_id"], record["asset_id"]) == (old_job, old_asset)  # not yet recorded

    code, out, err = project.run(*argv)
    assert code == 0 and f"asset {old_asset} was already deleted" in out, out + err
    record = project.state()["voices"]["premium"]
    assert record["asset_id"] is None and record["job_id"] not in (None, old_job)
    assert [job["job_id"] for job in project.jobs()] == [record["job_id"]]


@pytest.mark.parametrize("guard", ["keep_asset", "prevent_destroy"])
def test_a_vanished_jobs_kept_asset_refuses_the_new_job(project: Project, guard: str) -> None:
    """The asset stays (the guard says so), so a new job could never publish: no job."""
    trained(project, ONE_PREMIUM + f"    lifecycle: {{{{{guard}: true}}}}\n")
    _, old_asset = vanish(project)
    expected = f"voice.premium: its trained asset {old_asset} is kept and still holds the name"
    for argv in (("plan",), ("apply", "--auto-approve")):
        no_job_is_made(project, argv, expected)
    assert listed(project, old_asset)


def test_a_saved_plan_edited_to_delete_a_live_voices_asset_is_refused(project: Project) -> None:
    asset_id = trained(project)
    plan = saved(project)
    change = change_of(plan, "premium")
    assert change["steps"] == []  # nothing to do: the file only named it
    change.update(
        action="create", reason="drift", steps=["delete_asset", "create", "upload", "submit"]
    )
    write(project, plan, recompute=True)
    job_id = project.state()["voices"]["premium"]["job_id"]
    refused(project, f"voice.premium: job {job_id} still exists; its asset is in use")
    assert listed(project, asset_id)


def test_a_saved_plan_cannot_delete_an_asset_on_a_new_voice(project: Project) -> None:
    asset_id = trained(project)
    plan = saved(project)
    change = change_of(plan, "premium")
    change.update(
        action="create", reason="new", steps=["delete_asset", "create", "upload", "submit"]
    )
    write(project, plan, recompute=True)
    refused(project, "voice.premium: a create for reason 'new' deletes nothing")
    assert listed(project, asset_id)
