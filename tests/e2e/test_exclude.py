"""--exclude: the opposite of --target, on plan, apply and destroy, and kept in saved plans."""

from __future__ import annotations

import json
from typing import Any

from tests.e2e.conftest import Project
from tests.e2e.test_plan_tampering import REPLACE_STEPS, _train, change_of, refused, saved, write

EVERY = ["voice.adv-pkg", "voice.basic-dir", "voice.basic-seg", "voice.premium", "voice.third"]


def planned(project: Project, *args: str) -> dict[str, Any]:
    code, out, err = project.run("plan", "--format", "json", *args)
    assert code == 0, out + err
    return dict(json.loads(out))


def addresses(document: dict[str, Any]) -> list[str]:
    return sorted(c["address"] for c in document["resource_changes"])


def test_plan_leaves_the_excluded_voices_out_and_is_not_complete(project: Project) -> None:
    whole = planned(project)
    assert addresses(whole) == EVERY and whole["complete"] is True
    document = planned(project, "--exclude", "voice.basic-*", "--exclude", "voice.third")
    assert addresses(document) == ["voice.adv-pkg", "voice.premium"]
    assert document["complete"] is False
    assert document["excludes"] == ["voice.basic-*", "voice.third"]
    code, out, _ = project.run("plan", "--exclude", "voice.third")
    assert code == 0 and "voices matching --exclude voice.third were not planned" in out


def test_target_less_exclude(project: Project) -> None:
    document = planned(project, "--target", "voice.basic-*", "--exclude", "voice.basic-seg")
    assert addresses(document) == ["voice.basic-dir"]


def test_an_exclude_matching_no_voice_is_an_error_like_a_target(project: Project) -> None:
    code, _, err = project.run("plan", "--exclude", "voice.basic-*", "--exclude", "voice.nope*")
    assert code == 1
    assert "--exclude voice.nope*: matches no voice in the configuration or state" in err
    code, _, err = project.run("apply", "--auto-approve", "--exclude", "voice.nope")
    assert code == 1 and "--exclude voice.nope: matches no voice" in err
    assert project.jobs() == []


def test_apply_and_destroy_leave_the_excluded_voices_alone(project: Project) -> None:
    code, out, err = project.run("apply", "--auto-approve", "--exclude", "voice.premium")
    assert code == 0, out + err
    assert sorted(j["voice_name"] for j in project.jobs()) == [
        "Advanced Package",
        "Basic Dir",
        "Basic Segments",
        "Third",
    ]
    assert "premium" not in project.state()["voices"]
    assert project.run("apply", "--auto-approve")[0] == 0  # now premium too
    code, out, err = project.run("destroy", "--auto-approve", "--exclude", "voice.basic-*")
    assert code == 0, out + err
    assert sorted(j["voice_name"] for j in project.jobs()) == ["Basic Dir", "Basic Segments"]
    assert sorted(project.state()["voices"]) == ["basic-dir", "basic-seg"]


def _calls(project: Project, *args: str) -> dict[str, int]:
    project.admin("DELETE", "/stats")
    code, out, err = project.run("plan", *args)
    assert code == 0, out + err
    return dict(project.admin("GET", "/stats")["operations"])


def test_excluded_voices_are_read_no_more_than_untargeted_ones(project: Project) -> None:
    assert project.run("apply", "--auto-approve")[0] == 0
    others = [f"--exclude={a}" for a in EVERY if a != "voice.premium"]
    assert _calls(project, *others) == _calls(project, "--target", "voice.premium")


def test_a_saved_plan_keeps_its_exclusion(project: Project) -> None:
    plan = saved(project, "--exclude", "voice.premium")
    assert plan["excludes"] == ["voice.premium"]
    assert "premium" in plan["unchanged"] or all(c["name"] != "premium" for c in plan["changes"])
    code, out, err = project.run("apply", "tfplan")
    assert code == 0, out + err
    assert "Premium" not in [j["voice_name"] for j in project.jobs()]


def test_an_exclusion_edited_into_a_saved_plan_refuses_its_changes(project: Project) -> None:
    assert project.run("apply", "--auto-approve", "--target", "voice.premium")[0] == 0
    plan = saved(project)
    plan["excludes"] = ["voice.third"]
    write(project, plan, recompute=True)
    refused(project, "voice.third is excluded by the plan's --exclude")


def test_a_saved_plan_cannot_change_a_voice_it_excludes(project: Project) -> None:
    assert project.run("apply", "--auto-approve")[0] == 0
    _train(project, "third")
    plan = saved(project, "--exclude", "voice.third", "--replace", "voice.premium")
    forged = change_of(saved(project, "--replace", "voice.third"), "third")
    plan["changes"].append({**forged, "steps": REPLACE_STEPS})
    plan["replace"] = ["voice.premium", "voice.third"]
    plan["unchanged"] = [n for n in plan["unchanged"] if n != "third"]
    write(project, plan, recompute=True)
    refused(project, "voice.third is excluded by the plan's --exclude")


def test_an_edited_exclusion_without_a_new_digest_is_refused(project: Project) -> None:
    assert project.run("apply", "--auto-approve", "--target", "voice.third")[0] == 0
    plan = saved(project, "--exclude", "voice.premium")
    plan["excludes"] = []
    write(project, plan, recompute=False)
    refused(project, "was modified after it was made")
