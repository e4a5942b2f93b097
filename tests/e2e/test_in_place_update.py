"""A trained voice's description and voice_name change in place on its asset
(UpdateDigitalAsset): the job is kept and no training resource is spent. Before training,
and when another attribute changes too, the voice is replaced as before."""

from __future__ import annotations

import json
from collections import Counter

from tests.e2e.conftest import ONE_PREMIUM, Project
from tests.e2e.test_destroy_assets import listed, trained
from tests.e2e.test_json_stream import by_addr, stream
from tests.e2e.test_plan_tampering import change_of, refused, saved, write
from tests.metastudio.conftest import make_client

DESCRIBED = ONE_PREMIUM + "    description: a calm premium voice\n"
CALL = "UpdateDigitalAsset: asset_description"
# Operations that make or submit a job: what a training costs.
PAID = ("create_basic_job", "create_middle_job", "create_advance_job", "commit_job")


def renamed(config: str, voice_name: str) -> str:
    return config.replace("voice_name: Premium", f"voice_name: {voice_name}")


def operations(project: Project) -> Counter[str]:
    return Counter(project.admin("GET", "/stats")["operations"])


def asset(project: Project, asset_id: str) -> dict[str, object]:
    return dict(make_client(project.emulator.base_url).show_asset(asset_id).raw)


def applied_without_training(project: Project) -> str:
    """Apply; no job is created or submitted, the recorded job stays; returns its output."""
    jobs = [job["job_id"] for job in project.jobs()]
    recorded_job = project.state()["voices"]["premium"]["job_id"]
    project.admin("DELETE", "/stats")
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0, out + err
    assert "1 updated" in out, out
    assert not any(operations(project)[op] for op in PAID), operations(project)
    assert operations(project)["update_asset"] == 1
    assert [job["job_id"] for job in project.jobs()] == jobs
    assert project.state()["voices"]["premium"]["job_id"] == recorded_job
    return out


def test_a_description_edit_on_a_trained_voice_costs_no_training(project: Project) -> None:
    asset_id = trained(project)
    quotas = make_client(project.emulator.base_url).show_voice_training_quotas().available
    project.write_config(DESCRIBED)

    code, out, err = project.run("plan")
    assert code == 0, out + err
    assert f"# voice.premium will be updated in place ({CALL})" in out, out
    assert '+ description = "a calm premium voice"' in out and "forces replacement" not in out
    assert "Plan: 0 to create, 1 to update, 0 to replace, 0 to destroy." in out
    code, out, _ = project.run("plan", "--format", "markdown")
    escaped = CALL.replace("_", "\\_")
    assert f"| voice.premium | update | in place ({escaped}) |" in out, out
    code, out, _ = project.run("plan", "--format", "json")
    (change,) = json.loads(out)["resource_changes"]
    assert change["change"]["actions"] == ["update"] and change["reconciler_update_call"] == CALL
    code, messages, _ = stream(project, "plan")
    planned = by_addr(messages, "planned_change", "change")["voice.premium"]["change"]
    assert (planned["action"], planned["reconciler_update_call"]) == ("update", CALL)

    out = applied_without_training(project)
    assert f"updating asset {asset_id} in place ({CALL})" in out, out
    assert asset(project, asset_id)["asset_description"] == "a calm premium voice"
    assert asset(project, asset_id)["asset_name"] == "Premium"
    record = project.state()["voices"]["premium"]
    assert record["spec"]["description"] == "a calm premium voice"
    assert record["asset_id"] == asset_id
    assert make_client(project.emulator.base_url).show_voice_training_quotas().available == quotas
    code, out, _ = project.run("plan")
    assert code == 0 and "No changes." in out, out

    # Removed from the configuration: the asset's description is cleared, in place too.
    project.write_config(ONE_PREMIUM)
    applied_without_training(project)
    assert asset(project, asset_id)["asset_description"] == ""


def test_a_voice_name_change_renames_the_asset_in_place(project: Project) -> None:
    asset_id = trained(project, recorded=False)  # refresh sees the asset; the state does not
    project.write_config(renamed(DESCRIBED, "Premium Calm"))
    code, out, _ = project.run("plan")
    expected = "UpdateDigitalAsset: asset_name, asset_description"
    assert f"will be updated in place ({expected})" in out, out
    applied_without_training(project)
    shown = asset(project, asset_id)
    assert (shown["asset_name"], shown["asset_description"]) == (
        "Premium Calm",
        "a calm premium voice",
    )
    record = project.state()["voices"]["premium"]
    assert record["spec"]["voice_name"] == "Premium Calm" and record["asset_id"] == asset_id
    code, out, _ = project.run("plan")
    assert code == 0 and "No changes." in out, out


def test_a_rename_onto_a_name_another_asset_holds_is_refused_before_apply(
    project: Project,
) -> None:
    asset_id = trained(project)
    project.admin("POST", "/jobs", [{"job_id": "other", "voice_name": "Taken", "state": "SUCCEED"}])
    taken = make_client(project.emulator.base_url).show_job("other").asset_id
    project.write_config(renamed(ONE_PREMIUM, "Taken"))
    state = project.state_path.read_bytes()
    for argv in (("plan",), ("apply", "--auto-approve")):
        project.admin("DELETE", "/stats")
        code, out, err = project.run(*argv)
        assert code == 1, out + err
        assert (
            f"voice.premium: the asset library already has a live asset {taken} named 'Taken', "
            f"so its trained asset {asset_id} cannot be renamed to it (MSS.10001005)"
        ) in err, err
        assert "update_asset" not in operations(project)
    assert project.state_path.read_bytes() == state
    assert asset(project, asset_id)["asset_name"] == "Premium"


def test_a_change_mixing_in_another_attribute_still_replaces(project: Project) -> None:
    trained(project)
    project.write_config(DESCRIBED + "    sex: MALE\n")
    code, out, err = project.run("plan")
    assert code == 0, out + err
    assert "voice.premium must be replaced" in out, out
    assert '~ sex         = "FEMALE" -> "MALE" # forces replacement' in out, out
    assert '+ description = "a calm premium voice"\n' in out, out  # forces nothing itself
    code, out, _ = project.run("plan", "--format", "json")
    (change,) = json.loads(out)["resource_changes"]
    assert change["change"]["actions"] == ["delete", "create"]
    assert change["change"]["replace_paths"] == [["sex"]]
    assert "reconciler_update_call" not in change


def test_before_training_a_description_edit_replaces_as_before(project: Project) -> None:
    project.write_config(ONE_PREMIUM)
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0, out + err
    (job,) = project.jobs()
    project.admin("POST", f"/jobs/{job['job_id']}/advance")  # in review, not trained
    project.write_config(DESCRIBED)
    code, out, _ = project.run("plan")
    assert "voice.premium must be replaced (description cannot change after submission)" in out
    assert "in place" not in out, out


def test_a_saved_in_place_update_applies_and_a_forged_one_is_refused(project: Project) -> None:
    asset_id = trained(project)
    project.write_config(DESCRIBED)
    plan = saved(project)
    (change,) = plan["changes"]
    assert (change["action"], change["steps"]) == ("update", ["update_asset"])

    # The rows and the spec say another description than the configuration: refused.
    forged = json.loads(json.dumps(plan))
    claim = change_of(forged, "premium")
    claim["after"]["description"] = "approved by nobody"
    for row in claim["changes"]:
        row["after"] = "approved by nobody"
    write(project, forged, recompute=True)
    refused(
        project,
        "voice.premium: the plan updates UpdateDigitalAsset: asset_description in place to "
        "other values than the configuration and the state call for",
    )
    # An in-place update where nothing calls for one: refused, not quietly dropped.
    project.write_config(ONE_PREMIUM)
    unchanged = saved(project)
    claim = change_of(unchanged, "premium")
    claim.update(action="update", reason="in_place", steps=["update_asset"])
    write(project, unchanged, recompute=True)
    refused(project, "voice.premium: the plan says update (in_place), but")

    project.write_config(DESCRIBED)
    write(project, plan, recompute=False)  # the honest one
    code, out, err = project.run("apply", "tfplan")
    assert code == 0 and "1 updated" in out, out + err
    assert asset(project, asset_id)["asset_description"] == "a calm premium voice"
    assert listed(project, asset_id) and len(project.jobs()) == 1


def test_an_asset_deleted_behind_the_tools_back_fails_the_update_with_what_to_do(
    project: Project,
) -> None:
    asset_id = trained(project)
    make_client(project.emulator.base_url).delete_asset(asset_id)  # in the console
    project.write_config(DESCRIBED)
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 1, out + err
    expected = f"voice.premium: the trained asset {asset_id} is no longer in the asset library"
    assert expected in out + err, out + err
    assert "--replace voice.premium" in out + err
    assert "Traceback" not in err and len(project.jobs()) == 1
    assert "description" not in project.state()["voices"]["premium"]["spec"]
