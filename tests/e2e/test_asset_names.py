"""A trained model is published under its voice_name, and the asset library refuses a second
live asset of a name (MSS.10001005): each path that makes a new model must free the name.
"""

from __future__ import annotations

import json
import time
from typing import Any

from reconciler.emulator import FaultPlan
from tests.e2e.conftest import ONE_PREMIUM, Project
from tests.e2e.test_destroy_assets import KEEP, listed, trained
from tests.e2e.test_interrupted_create import run_and_kill
from tests.e2e.test_plan_tampering import change_of, refused, saved, write
from tests.metastudio.conftest import make_client

NAME_TAKEN = "MSS.10001005"


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


def test_a_second_live_asset_of_a_name_is_refused_at_publish(project: Project) -> None:
    """The clash itself, so the tests below would see it if the order were wrong."""
    old_asset = trained(project, KEEP)
    code, out, err = project.run("apply", "--auto-approve", "--replace", "voice.premium")
    assert code == 0 and "deleting asset" not in out, out + err
    assert listed(project, old_asset)
    job = finish(project, project.state()["voices"]["premium"]["job_id"])
    assert (job["state"], job["job_failed_code"]) == ("FAILED", NAME_TAKEN), job
    assert "Premium" in job["job_failed_reason"]


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


def test_keep_asset_keeps_a_vanished_jobs_asset_and_the_plan_warns(project: Project) -> None:
    trained(project, KEEP)
    _, old_asset = vanish(project)
    code, out, _ = project.run("plan")
    warning = (
        f"the vanished job's trained asset {old_asset} is kept (lifecycle.keep_asset); "
        "while it exists, the new model cannot be published under voice_name 'Premium' "
        f"({NAME_TAKEN})"
    )
    assert code == 0 and warning in out, out
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0 and "deleting asset" not in out, out + err
    assert listed(project, old_asset)


def test_prevent_destroy_keeps_a_vanished_jobs_asset(project: Project) -> None:
    trained(project, ONE_PREMIUM + "    lifecycle: {{prevent_destroy: true}}\n")
    _, old_asset = vanish(project)
    code, out, _ = project.run("plan")
    assert code == 0 and f"{old_asset} is kept (lifecycle.prevent_destroy)" in out, out
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0 and "deleting asset" not in out, out + err
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
