"""Restore instead of retrain: a voice destroyed and created again within the recycle bin's
7 days gets its trained model back, with no job; after 8 days it trains again, and says why."""

from __future__ import annotations

import json

from tests.e2e.conftest import Project
from tests.e2e.test_destroy_assets import listed, trained
from tests.e2e.test_plan_tampering import change_of, refused, saved, write

DAY = 24 * 3600


def destroyed(project: Project) -> str:
    asset_id = trained(project)
    code, out, err = project.run("destroy", "--auto-approve")
    assert code == 0, out + err
    assert project.jobs() == [] and not listed(project, asset_id)
    (record,) = project.state()["deleted_assets"]
    assert (record["asset_id"], record["voice_name"], record["address"]) == (
        asset_id,
        "Premium",
        "voice.premium",
    )
    assert record["data_digest"].startswith("sha256:")
    return asset_id


def test_a_voice_created_again_within_seven_days_is_restored_without_a_job(
    project: Project,
) -> None:
    asset_id = destroyed(project)
    code, out, err = project.run("plan")
    assert code == 0, out + err
    assert "voice.premium will be restored from the recycle bin" in out, out
    assert f"asset {asset_id}" in out and "Plan: 1 to restore, 0 to create" in out, out
    code, out, _ = project.run("plan", "--format", "json")
    (change,) = json.loads(out)["resource_changes"]
    assert change["change"]["actions"] == ["create"]
    # Terraform has no word for it: no action_reason, ours in reconciler_reason.
    assert (change["reconciler_action"], change["reconciler_reason"]) == ("restore", "recycle_bin")
    assert "action_reason" not in change and change["change"]["before"] is None
    code, out, _ = project.run("plan", "--format", "markdown")
    assert "restore" in out, out
    code, out, _ = project.run("plan", "--json")
    planned = [json.loads(line) for line in out.splitlines()]
    (message,) = [m for m in planned if m["type"] == "planned_change"]
    assert message["change"]["reconciler_action"] == "restore"

    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0, out + err
    assert f"restored asset {asset_id}" in out, out
    assert project.jobs() == []  # no job, no training resource
    assert listed(project, asset_id)
    voice = project.state()["voices"]["premium"]
    assert (voice["asset_id"], voice["job_id"]) == (asset_id, None) and voice["restored_at"]
    project.emulator.reset_stats()
    code, out, err = project.run("plan", "--detailed-exitcode")
    assert code == 0, out + err  # trained, nothing to do
    assert "show_voice_training_quotas" not in project.emulator.stats()["operations"]
    code, out, err = project.run("status")
    assert code == 0, out + err
    assert "restored from the recycle bin" in out and "usable for speech synthesis" in out, out
    code, out, _ = project.run("plan", "--destroy")
    assert f"the trained asset {asset_id} will be deleted too" in out, out


def test_after_eight_days_the_voice_trains_again_and_the_plan_says_why(
    project: Project,
) -> None:
    asset_id = destroyed(project)
    project.emulator.advance_clock(8 * DAY)
    code, out, err = project.run("plan")
    assert code == 0, out + err
    assert "Plan: 1 to create" in out, out
    assert f"asset {asset_id} of voice.premium" in out and "purged" in out, out
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0, out + err
    assert len(project.jobs()) == 1


def test_other_training_data_is_not_restored(project: Project) -> None:
    destroyed(project)
    (project.root / "data" / "premium" / "extra.wav").write_bytes(
        (project.root / "data" / "premium" / "recording.wav").read_bytes()
    )
    (project.root / "data" / "premium" / "recording.wav").unlink()
    _, out, _ = project.run("plan")
    assert "is not restored: its training data differs" in out and "1 to create" in out, out


def test_a_replace_records_the_asset_it_deletes(project: Project) -> None:
    asset_id = trained(project)
    code, out, err = project.run("apply", "--auto-approve", "--replace", "voice.premium")
    assert code == 0, out + err
    (record,) = project.state()["deleted_assets"]
    assert record["asset_id"] == asset_id


def test_a_saved_restore_is_verified_and_a_forged_one_refused(project: Project) -> None:
    asset_id = destroyed(project)
    plan = saved(project)
    change = change_of(plan, "premium")
    assert (change["action"], change["remote"]["asset_id"]) == ("restore", asset_id)
    forged = json.loads(json.dumps(plan))
    change_of(forged, "premium")["remote"]["asset_id"] = "not-in-the-bin"
    write(project, forged, recompute=True)
    refused(project, "the plan names asset not-in-the-bin")
    write(project, plan, recompute=True)
    code, out, err = project.run("apply", "tfplan")
    assert code == 0, out + err
    assert project.jobs() == [] and listed(project, asset_id)


def test_a_restore_claimed_for_a_voice_that_trains_is_refused(project: Project) -> None:
    destroyed(project)
    project.emulator.advance_clock(8 * DAY)  # purged: the plan creates
    plan = saved(project)
    change = change_of(plan, "premium")
    assert change["action"] == "create"
    change.update(action="restore", reason="recycle_bin", steps=["restore_asset"])
    change["remote"]["asset_id"] = project.state()["deleted_assets"][0]["asset_id"]
    write(project, plan, recompute=True)
    refused(project, "the plan says restore (recycle_bin)")
