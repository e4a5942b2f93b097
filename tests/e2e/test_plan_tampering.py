"""Saved plans are untrusted input: edits are refused, and apply re-checks every delete.

The plan file travels between CI jobs as an artifact. An edit without a recomputed digest
is refused on load; one with a recomputed digest (or a plan from a buggy planner) still
cannot delete a guarded voice, or one the configuration keeps, because apply re-derives each
delete and replace from the configuration and the state.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from reconciler.operations.planfile import content_digest
from tests.e2e.conftest import Project
from tests.e2e.test_destroy import applied, config
from tests.metastudio.conftest import make_client

Edit = Callable[[dict[str, Any]], None]


def change_of(plan: dict[str, Any], name: str) -> dict[str, Any]:
    """The voice's change, to edit; a voice with nothing to do is only named in the file, so
    the attacker writes its change from scratch, taking nothing from the plan."""
    if name in plan["unchanged"]:
        plan["unchanged"].remove(name)
        plan["changes"].append(
            {
                "address": f"voice.{name}",
                "name": name,
                "action": "no-op",
                "reason": "up_to_date",
                "before": {},
                "after": {},
                "changes": [],
                "remote": {
                    "job_id": None,
                    "state": None,
                    "asset_id": None,
                    "failed_reason": None,
                    "audit_errors": [],
                    "refreshed": False,
                },
                "notes": [],
                "adopt_job_id": None,
                "steps": [],
            }
        )
    return next(c for c in plan["changes"] if c["name"] == name)


def saved(project: Project, *args: str) -> dict[str, Any]:
    code, out, err = project.run("plan", "--out", "tfplan", *args)
    assert code == 0, out + err
    return dict(json.loads((project.root / "tfplan").read_text()))


def write(project: Project, plan: dict[str, Any], *, recompute: bool) -> None:
    if recompute:  # what an attacker who knows the format does
        plan["content_digest"] = content_digest(plan)
    (project.root / "tfplan").write_text(json.dumps(plan))


def without_urls(job: dict[str, Any]) -> dict[str, Any]:
    """A job less its presigned URLs: those are signed afresh on every listing."""
    return {k: v for k, v in job.items() if not k.endswith("_url")}


def jobs_of(project: Project) -> list[dict[str, Any]]:
    return [without_urls(job) for job in project.jobs()]


def refused(project: Project, expected: str) -> str:
    """Apply exits 1 with ``expected`` and touches neither the jobs nor the state."""
    jobs, state = jobs_of(project), project.state_path.read_bytes()
    code, out, err = project.run("apply", "tfplan")
    assert code == 1, out + err
    assert expected in err
    assert "unexpected" not in out + err and "Traceback" not in err
    assert jobs_of(project) == jobs
    assert project.state_path.read_bytes() == state
    return err


REPLACE_STEPS = ["delete_job", "create", "upload", "submit"]


def _to_delete(plan: dict[str, Any]) -> None:
    change_of(plan, "premium").update(action="delete", steps=["delete_job"])


def _add_a_change(plan: dict[str, Any]) -> None:
    added = json.loads(json.dumps(change_of(plan, "premium")))
    added.update(
        name="third", address="voice.third", action="delete", reason="removed", steps=["delete_job"]
    )
    plan["changes"].append(added)


def _swap_job_id(plan: dict[str, Any]) -> None:
    change_of(plan, "premium")["remote"]["job_id"] = "00000000-0000-0000-0000-000000000000"


def _unguard(plan: dict[str, Any]) -> None:
    for side in ("before", "after"):
        change_of(plan, "premium")[side]["prevent_destroy"] = False


def _retarget(plan: dict[str, Any]) -> None:
    plan["targets"] = ["voice.*"]


@pytest.mark.parametrize("edit", [_to_delete, _add_a_change, _swap_job_id, _unguard, _retarget])
def test_an_edited_plan_is_refused_on_one_line(project: Project, edit: Edit) -> None:
    applied(project, premium=True)
    plan = saved(project, "--target", "voice.premium")
    edit(plan)
    write(project, plan, recompute=False)
    err = refused(project, "was modified after it was made")
    assert err.count("\n") == 1 and "tfplan" in err


def test_a_plan_without_a_digest_is_refused(project: Project) -> None:
    applied(project)
    plan = saved(project)
    del plan["content_digest"]
    write(project, plan, recompute=False)
    refused(project, "has no content_digest")


def test_a_recomputed_digest_still_cannot_destroy_a_guarded_voice(project: Project) -> None:
    applied(project, premium=True)
    plan = saved(project)
    _to_delete(plan)
    _unguard(plan)  # even the plan's own copy of the guard says "go ahead"
    plan["destroy"] = True
    write(project, plan, recompute=True)
    refused(project, "voice.premium: lifecycle.prevent_destroy forbids destroying it")


def test_a_recomputed_digest_cannot_delete_a_voice_the_config_keeps(project: Project) -> None:
    applied(project)
    plan = saved(project)
    change_of(plan, "third").update(action="delete", steps=["delete_job"])
    write(project, plan, recompute=True)
    refused(project, "voice.third is still in the configuration")


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("attributes", "the configuration matches the state"),
        ("tainted", "is SUCCEED, not failed"),
        ("up_to_date", "a replace for reason 'up_to_date' is never planned"),
    ],
)
def test_a_replace_nothing_calls_for_is_refused(
    project: Project, reason: str, expected: str
) -> None:
    applied(project)
    for job in project.jobs():
        while job["state"] != "SUCCEED":
            job = project.admin("POST", f"/jobs/{job['job_id']}/advance")
    plan = saved(project)
    change_of(plan, "third").update(action="replace", reason=reason, steps=REPLACE_STEPS)
    write(project, plan, recompute=True)
    err = refused(project, expected)
    assert err.startswith("Error: refusing to apply the plan: voice.third: ")


def test_steps_that_do_not_fit_the_action_are_refused(project: Project) -> None:
    """apply runs a change's steps, so a no-op that would delete a job is refused whole."""
    applied(project)
    plan = saved(project)
    change_of(plan, "third")["steps"] = ["delete_job"]
    write(project, plan, recompute=True)
    refused(project, "changes[0].steps: delete_job is not what a no-op does")


def test_honest_saved_plans_that_delete_still_apply(project: Project) -> None:
    applied(project)
    third = project.state()["voices"]["third"]["job_id"]
    project.admin("POST", f"/jobs/{third}/fail", {"state": "FAILED", "reason": "bad audio"})
    saved(project)  # voice.third is tainted: replaced
    code, out, err = project.run("apply", "tfplan")
    assert code == 0, out + err
    assert "1 replaced" in out

    saved(project, "--replace", "voice.third")
    code, out, err = project.run("apply", "tfplan")
    assert code == 0 and "1 replaced" in out, out + err

    project.write_config(config().split("  third:")[0])  # voice.third leaves the config
    saved(project)
    code, out, err = project.run("apply", "tfplan")
    assert code == 0 and "1 destroyed" in out, out + err
    assert [job["voice_name"] for job in project.jobs()] == ["Premium"]


# A saved plan is a claim apply verifies: each of these edits, with the digest recomputed,
# got past apply's guard before apply planned again and compared.


def _train(project: Project, name: str) -> str:
    job_id = project.state()["voices"][name]["job_id"]
    job = project.admin("POST", f"/jobs/{job_id}/advance")
    while job["state"] != "SUCCEED":
        job = project.admin("POST", f"/jobs/{job_id}/advance")
    return str(job["asset_id"])


def listed(project: Project, asset_id: str) -> bool:
    return make_client(project.emulator.base_url).list_assets(asset_id=[asset_id]).count == 1


GUARDED_PREMIUM = (
    "voice_name: Premium\n    lifecycle: {{prevent_destroy: true, keep_asset: true}}\n"
)


def test_a_destroy_plan_cannot_borrow_another_voices_asset(project: Project) -> None:
    project.write_config(config().replace("voice_name: Premium\n", GUARDED_PREMIUM))
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0, out + err
    asset_id = _train(project, "premium")  # voice.third stays untrained: no asset
    plan = saved(project, "--destroy", "--target", "voice.third")
    third = change_of(plan, "third")
    assert third["steps"] == ["delete_job"] and third["remote"]["asset_id"] is None
    third["remote"]["asset_id"] = asset_id
    third["steps"] = ["delete_asset", "delete_job"]
    write(project, plan, recompute=True)
    refused(
        project,
        "voice.third: the plan's steps are delete_asset, delete_job, but the configuration and "
        "the state call for delete_job",
    )
    assert listed(project, asset_id)


def test_a_forced_replace_needs_the_replace_intent_it_was_planned_with(project: Project) -> None:
    applied(project)
    _train(project, "third")
    plan = saved(project)
    assert plan["replace"] == []
    change_of(plan, "third").update(action="replace", reason="forced", steps=REPLACE_STEPS)
    write(project, plan, recompute=True)
    refused(
        project,
        "voice.third: the plan says replace (forced), but the configuration and the state call "
        "for no-op (up_to_date)",
    )


def test_a_recorded_voice_cannot_be_created_twice(project: Project) -> None:
    applied(project)
    plan = saved(project)
    change = change_of(plan, "premium")
    change.update(action="create", reason="new", steps=["create", "upload", "submit"])
    change["remote"]["job_id"] = None
    write(project, plan, recompute=True)
    refused(project, "voice.premium: the plan says create (new), but the configuration and the")


def test_a_change_outside_the_plans_targets_is_refused(project: Project) -> None:
    applied(project)
    _train(project, "third")
    plan = saved(project, "--target", "voice.premium", "--replace", "voice.third")
    plan["replace"] = ["voice.third"]
    plan["changes"].append(
        {**change_of(saved(project, "--replace", "voice.third"), "third"), "steps": REPLACE_STEPS}
    )
    write(project, plan, recompute=True)
    refused(project, "voice.third is outside the plan's --target selection")


def test_a_saved_plan_applies_what_the_state_calls_for_not_the_ids_it_names(
    project: Project,
) -> None:
    """The change that runs is the one planned again: a job ID edited into an honest
    replace is refused rather than deleted."""
    applied(project)
    _train(project, "third")
    plan = saved(project, "--replace", "voice.third")
    change_of(plan, "third")["remote"]["job_id"] = change_of(plan, "premium")["remote"]["job_id"]
    write(project, plan, recompute=True)
    refused(project, "voice.third: the plan names job")
