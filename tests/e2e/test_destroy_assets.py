"""Destroy and replace delete the trained asset with the job, asset first; keep_asset keeps it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from reconciler.emulator import FaultPlan
from tests.e2e.conftest import ONE_PREMIUM, REPO, Project
from tests.e2e.test_plan_tampering import change_of, refused, saved, write
from tests.metastudio.conftest import make_client

KEEP = ONE_PREMIUM + "    lifecycle: {{keep_asset: true}}\n"


def trained(project: Project, config: str = ONE_PREMIUM, *, recorded: bool = True) -> str:
    """Apply, train the job to SUCCEED and return its asset; ``recorded``: a second apply
    has written the asset_id into the state (otherwise only refresh sees it)."""
    project.write_config(config)
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0, out + err
    (job,) = project.jobs()
    while job["state"] != "SUCCEED":
        job = project.admin("POST", f"/jobs/{job['job_id']}/advance")
    asset_id = str(job["asset_id"])
    assert listed(project, asset_id)
    if recorded:
        code, out, err = project.run("apply", "--auto-approve")
        assert code == 0, out + err
        assert project.state()["voices"]["premium"]["asset_id"] == asset_id
    return asset_id


def listed(project: Project, asset_id: str) -> bool:
    """In the asset library (an asset in the recycle bin is not listed)."""
    client = make_client(project.emulator.base_url)
    return client.list_assets(asset_id=[asset_id]).count == 1


@pytest.mark.parametrize("recorded", [True, False], ids=["recorded", "seen-by-refresh"])
def test_destroy_deletes_the_asset_then_the_job(project: Project, recorded: bool) -> None:
    asset_id = trained(project, recorded=recorded)
    code, out, _ = project.run("plan", "--destroy")
    assert code == 0 and f"# the trained asset {asset_id} will be deleted too" in out, out
    code, out, _ = project.run("plan", "--destroy", "--format", "markdown")
    assert code == 0 and f"the trained asset {asset_id} will be deleted too" in out, out
    code, out, _ = project.run("plan", "--destroy", "--format", "json")
    (change,) = json.loads(out)["resource_changes"]
    assert f"the trained asset {asset_id} will be deleted too" in change["notes"], change

    code, out, err = project.run("destroy", "--auto-approve")
    assert code == 0, out + err
    assert out.index(f"deleting asset {asset_id}") < out.index("deleting job"), out
    assert project.jobs() == [] and not listed(project, asset_id)
    assert project.state()["voices"] == {}
    binned = make_client(project.emulator.base_url).list_assets(asset_state=["DELETED"])
    assert [a.asset_id for a in binned.assets] == [asset_id]  # the console can still restore it


def test_replace_deletes_the_old_asset_before_the_new_job(project: Project) -> None:
    asset_id = trained(project)
    old_job = project.state()["voices"]["premium"]["job_id"]
    code, out, err = project.run("apply", "--auto-approve", "--replace", "voice.premium")
    assert code == 0, out + err
    order = [
        out.index(f"deleting asset {asset_id}"),
        out.index("deleting job"),
        out.index("creating"),
    ]
    assert order == sorted(order), out
    assert not listed(project, asset_id)
    record = project.state()["voices"]["premium"]
    assert record["job_id"] != old_job and record["asset_id"] is None
    assert [j["job_id"] for j in project.jobs()] == [record["job_id"]]


def test_a_plan_without_an_asset_deletes_only_the_job(project: Project) -> None:
    project.write_config(ONE_PREMIUM)
    assert project.run("apply", "--auto-approve")[0] == 0
    project.admin("DELETE", "/stats")
    code, out, err = project.run("destroy", "--auto-approve")
    assert code == 0 and "trained asset" not in out and "deleting asset" not in out, out + err
    assert "delete_asset" not in project.admin("GET", "/stats")["operations"]


def test_keep_asset_keeps_it_even_once_the_yaml_block_is_gone(project: Project) -> None:
    asset_id = trained(project, KEEP)
    assert project.state()["voices"]["premium"]["keep_asset"] is True
    kept = f"# the trained asset {asset_id} is kept (lifecycle.keep_asset)"
    code, out, _ = project.run("plan", "--destroy")
    assert code == 0 and kept in out, out

    # The block removed but not applied: the state still says keep, and the plan says so.
    project.write_config(ONE_PREMIUM)
    code, out, _ = project.run("plan", "--destroy", "--out", "keep.plan")
    assert code == 0 and kept in out, out
    code, out, err = project.run("apply", "keep.plan", "--auto-approve")
    assert code == 0, out + err
    assert project.jobs() == [] and listed(project, asset_id)
    assert "delete_asset" not in project.admin("GET", "/stats")["operations"]


def test_keep_asset_false_applied_lets_destroy_delete_it(project: Project) -> None:
    asset_id = trained(project, KEEP)
    project.write_config(ONE_PREMIUM)
    code, out, err = project.run("apply", "--auto-approve")  # records keep_asset: false
    assert code == 0, out + err
    assert project.state()["voices"]["premium"]["keep_asset"] is False
    code, out, err = project.run("destroy", "--auto-approve")
    assert code == 0 and f"deleting asset {asset_id}" in out, out + err
    assert project.jobs() == [] and not listed(project, asset_id)


def test_prevent_destroy_protects_the_asset_as_well_as_the_job(project: Project) -> None:
    asset_id = trained(project, ONE_PREMIUM + "    lifecycle: {{prevent_destroy: true}}\n")
    project.admin("DELETE", "/stats")
    code, out, err = project.run("destroy", "--auto-approve")
    assert code == 1 and "lifecycle.prevent_destroy forbids destroying it" in err, out + err
    code, out, err = project.run("apply", "--auto-approve", "--replace", "voice.premium")
    assert code == 1 and "lifecycle.prevent_destroy forbids replacing it" in err, out + err
    assert listed(project, asset_id) and len(project.jobs()) == 1
    operations = project.admin("GET", "/stats")["operations"]
    assert "delete_asset" not in operations and "delete_job" not in operations


def test_kill_between_the_two_deletes_is_finished_by_the_next_destroy(project: Project) -> None:
    asset_id = trained(project)
    job_id = project.state()["voices"]["premium"]["job_id"]
    project.admin("DELETE", "/stats")
    # The job's delete is held long enough to kill the run while it waits for the answer.
    project.emulator.set_faults(FaultPlan.parse({"delete_job": {"latency": 20}}))
    env = {**os.environ, **project.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-m", "reconciler", "destroy", "--auto-approve"],
        cwd=project.root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while "delete_job" not in project.admin("GET", "/stats")["operations"]:
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    project.emulator.set_faults(FaultPlan())

    # Killed after the asset's delete and its checkpoint, before the job's delete landed.
    assert project.admin("GET", "/stats")["operations"]["delete_asset"] == 1
    assert not listed(project, asset_id)
    assert [j["job_id"] for j in project.jobs()] == [job_id]
    record = project.state()["voices"]["premium"]
    assert (record["job_id"], record["asset_id"]) == (job_id, None)

    code, out, err = project.run("destroy", "--auto-approve")
    assert code == 0 and f"deleting job {job_id}" in out, out + err
    # Refresh still shows the asset on the job: deleting it again is found already done.
    assert f"asset {asset_id} was already deleted" in out, out
    assert project.jobs() == [] and not listed(project, asset_id)
    assert project.state()["voices"] == {}


def test_a_saved_plan_edited_to_delete_a_kept_asset_is_refused(project: Project) -> None:
    trained(project, KEEP)
    plan = saved(project, "--destroy")
    change = change_of(plan, "premium")
    assert change["steps"] == ["delete_job"]
    change["steps"] = ["delete_asset", "delete_job"]
    for side in ("before", "after"):
        if change[side] is not None:
            change[side].pop("keep_asset", None)  # even the plan's own copy says "go ahead"
    write(project, plan, recompute=True)
    refused(project, "voice.premium: lifecycle.keep_asset forbids deleting its trained asset")


def test_a_saved_plan_cannot_delete_an_asset_without_the_job(project: Project) -> None:
    trained(project)
    plan = saved(project, "--destroy")
    change = change_of(plan, "premium")
    assert change["steps"] == ["delete_asset", "delete_job"]
    change["steps"] = ["delete_asset"]
    write(project, plan, recompute=True)
    refused(project, "delete_asset is not what a delete does")
