"""`moved` entries and `state mv`: a renamed key keeps its job, and no training is paid again."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.conftest import ONE_PREMIUM, PREMIUM_AND_THIRD, Project
from tests.e2e.test_destroy_assets import listed, trained
from tests.e2e.test_json_stream import of, stream
from tests.e2e.test_plan_tampering import (
    change_of,
    jobs_of,
    refused,
    saved,
    without_urls,
    write,
)

RENAMED = ONE_PREMIUM.replace("  premium:\n", "  anchor:\n")
MOVED = RENAMED + "moved:\n  - from: voice.premium\n    to: voice.anchor\n"
BOTH_MOVED = PREMIUM_AND_THIRD.replace("  premium:\n", "  anchor:\n") + MOVED[len(RENAMED) :]
# Remote calls that cost (or undo) a training, as the emulator counts them: none may happen
# for a move or a forget.
PAID = ("create_", "delete_", "commit_job", "confirm_segment", "show_uploading_address")


def operations(project: Project) -> dict[str, int]:
    return dict(project.admin("GET", "/stats")["operations"])


def paid_calls(project: Project) -> list[str]:
    return sorted(op for op in operations(project) if op.startswith(PAID))


def unchanged(project: Project, *argv: str) -> str:
    """The command exits 1 with one line on stderr and changes neither the jobs nor the state."""
    jobs, state = jobs_of(project), project.state_path.read_bytes()
    code, out, err = project.run(*argv)
    assert code == 1, out + err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err and "unexpected" not in err
    assert jobs_of(project) == jobs and project.state_path.read_bytes() == state
    return err


def test_a_rename_with_a_moved_entry_costs_no_training(project: Project) -> None:
    asset_id = trained(project)
    (job,) = project.jobs()
    serial = project.state()["serial"]
    project.write_config(MOVED)

    code, out, err = project.run("plan")
    assert code == 0, out + err
    assert "# voice.premium has moved to voice.anchor" in out
    assert out.rstrip().endswith(
        "Plan: 0 to create, 0 to update, 0 to replace, 0 to destroy, 1 to move."
    )
    code, out, _ = project.run("plan", "--format", "markdown")
    assert code == 0 and "| voice.anchor | no-op | moved from voice.premium |" in out, out
    code, out, _ = project.run("plan", "--format", "json")
    (change,) = json.loads(out)["resource_changes"]
    assert change["address"] == "voice.anchor" and change["previous_address"] == "voice.premium"
    assert change["change"]["actions"] == ["no-op"]
    code, out, _ = project.run("plan", "--json")
    planned = [m for m in map(json.loads, out.splitlines()) if m["type"] == "planned_change"]
    assert [m["change"]["action"] for m in planned] == ["move"]
    assert planned[0]["change"]["previous_resource"]["addr"] == "voice.premium"

    project.admin("DELETE", "/stats")
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0, out + err
    assert "1 moved" in out and paid_calls(project) == [], operations(project)
    # The same one job, trained as before (less its presigned URL, signed afresh each time).
    assert jobs_of(project) == [without_urls(job)]
    assert listed(project, asset_id)
    state = project.state()
    assert list(state["voices"]) == ["anchor"] and state["serial"] == serial + 1
    assert state["voices"]["anchor"]["job_id"] == job["job_id"]
    assert state["voices"]["anchor"]["asset_id"] == asset_id

    # Kept in the YAML, the entry is harmless once applied.
    code, out, err = project.run("plan")
    assert code == 0 and "No changes." in out, out + err


def test_a_move_may_come_with_another_change(project: Project) -> None:
    project.write_config(ONE_PREMIUM)
    code, out, err = project.run("apply", "--auto-approve")  # submitted, not trained yet
    assert code == 0, out + err
    (job,) = project.jobs()
    project.write_config(MOVED.replace("voice_name: Premium", "voice_name: Anchor"))
    code, out, err = project.run("plan")
    assert code == 0, out + err
    assert "# voice.anchor must be replaced" in out and "# (moved from voice.premium)" in out
    code, out, _ = project.run("plan", "--format", "json")
    (change,) = json.loads(out)["resource_changes"]
    assert change["previous_address"] == "voice.premium"
    assert change["change"]["actions"] == ["delete", "create"]
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0 and "1 replaced" in out, out + err
    (new,) = project.jobs()
    assert new["job_id"] != job["job_id"] and new["voice_name"] == "Anchor"
    state = project.state()
    assert list(state["voices"]) == ["anchor"]
    assert state["voices"]["anchor"]["job_id"] == new["job_id"]


def two_trained(project: Project) -> None:
    project.write_config(PREMIUM_AND_THIRD)
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0, out + err


# Each entry, the error, and the line it names (counted from the last voice line).
BAD_MOVES = {
    "chain": (
        "moved:\n  - from: voice.old\n    to: voice.older\n"
        "  - from: voice.older\n    to: voice.premium\n",
        "{line}:9: moved[0].to: voice.older moves on to voice.premium",
        3,
    ),
    "cycle": (
        "moved:\n  - from: voice.a\n    to: voice.b\n  - from: voice.b\n    to: voice.a\n",
        "{line}:11: moved[0].from: the moved entries form a cycle: voice.a -> voice.b -> voice.a",
        2,
    ),
    "still configured": (
        "moved:\n  - from: voice.third\n    to: voice.elsewhere\n",
        "{line}:11: moved[0].from: voice.third is still under voices",
        2,
    ),
    "same target": (
        "moved:\n  - from: voice.a\n    to: voice.third\n  - from: voice.b\n    to: voice.third\n",
        "{line}:9: moved[1].to: moved[0] at voices.yaml:",
        5,
    ),
    "unknown": (
        "moved:\n  - from: voice.ghost\n    to: voice.nowhere\n",
        "{line}:11: moved[0].from: neither voice.ghost nor voice.nowhere is in the "
        "state or the configuration",
        2,
    ),
}


@pytest.mark.parametrize("kind", sorted(BAD_MOVES))
def test_bad_moved_entries_are_one_located_error(project: Project, kind: str) -> None:
    two_trained(project)
    entry, expected, offset = BAD_MOVES[kind]
    project.write_config(PREMIUM_AND_THIRD + entry)
    line = len(PREMIUM_AND_THIRD.splitlines()) + offset
    for argv in (("plan",), ("apply", "--auto-approve")):
        err = unchanged(project, *argv)
        assert f"voices.yaml:{expected.format(line=line)}" in err, err


def test_a_move_onto_a_recorded_voice_is_refused(project: Project) -> None:
    two_trained(project)
    # third's key now names what premium was; the state still holds third.
    config = PREMIUM_AND_THIRD.replace("  premium:\n", "  renamed:\n").replace(
        "voice_name: Premium", "voice_name: Renamed"
    )
    project.write_config(config + "moved:\n  - from: voice.premium\n    to: voice.third\n")
    line = len(config.splitlines()) + 3
    err = unchanged(project, "apply", "--auto-approve")
    assert f"voices.yaml:{line}:9: moved[0].to: voice.third is already in the state (job " in err


def test_a_move_to_an_address_not_configured_is_refused(project: Project) -> None:
    trained(project)
    project.write_config(RENAMED + "moved:\n  - from: voice.premium\n    to: voice.anchr\n")
    line = len(RENAMED.splitlines()) + 3
    err = unchanged(project, "plan")
    assert f"voices.yaml:{line}:9: moved[0].to: voice.anchr is not under voices" in err


def test_state_mv_moves_the_record_in_one_write(project: Project) -> None:
    asset_id = trained(project)
    (job,) = project.jobs()
    serial = project.state()["serial"]
    project.write_config(RENAMED)
    code, out, err = project.run("state", "mv", "voice.premium", "voice.anchor")
    assert code == 0, out + err
    assert f"Moved voice.premium to voice.anchor in the state (job {job['job_id']} kept)." in out
    state = project.state()
    assert list(state["voices"]) == ["anchor"] and state["serial"] == serial + 1
    assert state["voices"]["anchor"]["address"] == "voice.anchor"
    assert state["voices"]["anchor"]["asset_id"] == asset_id
    code, out, err = project.run("plan")
    assert code == 0 and "No changes." in out, out + err
    assert jobs_of(project) == [without_urls(job)]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (("voice.ghost", "voice.x"), "voice.ghost is not a voice in the state"),
        (("voice.premium", "voice.third"), "voice.third is already in the state (job "),
        (("voice.premium", "Third"), "'Third' is not a voice address"),
        (("voice.premium", "voice.premium"), "are the same address"),
    ],
)
def test_state_mv_refuses_clearly(project: Project, argv: tuple[str, str], expected: str) -> None:
    two_trained(project)
    err = unchanged(project, "state", "mv", *argv)
    assert expected in err, err


REMOVED = "removed:\n  - from: voice.third\n"


def test_a_removed_entry_forgets_the_voice_and_keeps_its_job(project: Project) -> None:
    two_trained(project)
    third = project.state()["voices"]["third"]["job_id"]
    project.write_config(ONE_PREMIUM + REMOVED)
    code, out, err = project.run("plan")
    assert code == 0, out + err
    assert "# voice.third will be forgotten by the state (its job stays in MetaStudio)" in out
    assert out.rstrip().endswith("0 to destroy, 1 to forget.")
    code, out, _ = project.run("plan", "--format", "json")
    (change,) = [c for c in json.loads(out)["resource_changes"] if c["name"] == "third"]
    assert change["change"]["actions"] == ["forget"]
    code, out, _ = project.run("plan", "--format", "markdown")
    assert "| voice.third | forget |" in out

    jobs = project.jobs()
    saved(project)  # reviewed, then applied as saved
    project.admin("DELETE", "/stats")
    code, out, err = project.run("apply", "tfplan")
    assert code == 0 and "1 forgotten" in out, out + err
    assert paid_calls(project) == [] and jobs_of(project) == [without_urls(j) for j in jobs]
    assert third in {job["job_id"] for job in jobs}
    assert list(project.state()["voices"]) == ["premium"]
    code, out, err = project.run("plan")  # harmless once applied
    assert code == 0 and "No changes." in out, out + err


def test_a_removed_entry_with_destroy_deletes_with_the_usual_guards(project: Project) -> None:
    guarded = ONE_PREMIUM.replace(
        "  premium:\n", "  premium:\n    lifecycle: {{prevent_destroy: true}}\n"
    )
    asset_id = trained(project, guarded)
    project.write_config(
        RENAMED.replace("voice_name: Premium", "voice_name: Other")
        + "removed:\n  - from: voice.premium\n    destroy: true\n"
    )
    err = unchanged(project, "plan")
    assert "voice.premium: lifecycle.prevent_destroy forbids destroying it" in err

    project.write_config(ONE_PREMIUM)  # the guard lifted and applied, then removed
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0, out + err
    project.write_config(
        config_without_voices() + "removed:\n  - from: voice.premium\n    destroy: true\n"
    )
    project.admin("DELETE", "/stats")
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0 and "1 destroyed" in out, out + err
    assert project.jobs() == [] and not listed(project, asset_id)
    assert paid_calls(project) == ["delete_asset", "delete_job"]  # what the others must lack


def config_without_voices() -> str:
    return ONE_PREMIUM[: ONE_PREMIUM.index("  premium:\n")] + "  {{}}\n"


def test_a_removed_entry_for_a_configured_voice_is_located(project: Project) -> None:
    two_trained(project)
    project.write_config(PREMIUM_AND_THIRD + REMOVED)
    line = len(PREMIUM_AND_THIRD.splitlines()) + 2
    err = unchanged(project, "plan")
    assert f"voices.yaml:{line}:11: removed[0].from: voice.third is still under voices" in err


def test_a_rename_without_a_moved_entry_is_hinted(project: Project) -> None:
    project.write_config(ONE_PREMIUM)
    code, out, err = project.run("apply", "--auto-approve")  # submitted, no asset yet
    assert code == 0, out + err
    project.write_config(RENAMED)
    hint = (
        "this looks like a rename (voice.premium and voice.anchor have the same voice_name): "
        "to keep the job and its training, add "
        "`moved: [{from: voice.premium, to: voice.anchor}]` to the YAML"
    )
    code, out, _ = project.run("plan")
    assert code == 0 and out.count(hint) == 2, out  # on both voices
    code, out, _ = project.run("plan", "--format", "markdown")
    assert "> this looks like a rename (voice.premium and voice.anchor have" in out, out
    code, out, _ = project.run("plan", "--format", "json")
    notes = [n for c in json.loads(out)["resource_changes"] for n in c["notes"]]
    assert notes.count(hint) == 2
    code, messages, _ = stream(project, "plan")
    (warning,) = [m for m in of(messages, "diagnostic") if "rename" in m["@message"]]
    assert warning["diagnostic"]["detail"] == hint and warning["@level"] == "warn"


def test_a_trained_rename_without_a_moved_entry_is_refused_with_the_entry(
    project: Project,
) -> None:
    trained(project)
    project.write_config(RENAMED)
    err = unchanged(project, "plan")
    assert "voice.anchor: this looks like a rename of voice.premium" in err
    assert "`moved: [{from: voice.premium, to: voice.anchor}]`" in err


def _forge_move(plan: dict[str, Any]) -> None:
    (change,) = [c for c in plan["changes"] if c["name"] == "anchor"]
    change["previous_address"] = "voice.third"


def _forge_forget(plan: dict[str, Any]) -> None:
    change_of(plan, "third").update(
        action="forget", reason="removed_entry", previous_address=None, steps=["forget"]
    )


def test_a_saved_move_applies_and_a_forged_one_is_refused(project: Project) -> None:
    two_trained(project)
    project.write_config(BOTH_MOVED)
    honest = saved(project)
    for forge, expected in (
        (_forge_move, "voice.anchor: the plan moves it from voice.third"),
        (_forge_forget, "voice.third: the plan says forget (removed_entry)"),
    ):
        forged = json.loads(json.dumps(honest))
        forge(forged)
        write(project, forged, recompute=True)
        refused(project, expected)
    write(project, honest, recompute=False)
    code, out, err = project.run("apply", "tfplan")
    assert code == 0, out + err
    assert sorted(project.state()["voices"]) == ["anchor", "third"]


def test_a_move_is_in_scope_when_either_address_is_targeted(project: Project) -> None:
    two_trained(project)
    project.write_config(BOTH_MOVED)
    for target in ("voice.premium", "voice.anchor"):
        code, out, err = project.run("plan", "--target", target)
        assert code == 0 and "# voice.premium has moved to voice.anchor" in out, out + err
    code, out, err = project.run("plan", "--target", "voice.third")
    assert code == 0 and "moved" not in out, out + err
    plan = saved(project, "--target", "voice.premium")  # by its old address, in a saved plan
    assert [c["previous_address"] for c in plan["changes"]] == ["voice.premium"]
    code, out, err = project.run("apply", "tfplan")
    assert code == 0 and "1 moved" in out, out + err
    assert sorted(project.state()["voices"]) == ["anchor", "third"]


def test_the_json_stream_of_a_move_and_a_forget_is_valid(project: Project) -> None:
    two_trained(project)
    project.write_config(
        RENAMED + "moved:\n  - from: voice.premium\n    to: voice.anchor\n" + REMOVED
    )
    code, messages, err = stream(project, "plan")
    assert code == 0, err
    planned = {m["change"]["resource"]["addr"]: m["change"] for m in of(messages, "planned_change")}
    assert planned["voice.anchor"]["action"] == "move"
    assert planned["voice.third"]["action"] == "remove"
    (summary,) = of(messages, "change_summary")
    assert summary["changes"]["forget"] == 1 and summary["@message"].endswith("1 to forget.")
    code, messages, err = stream(project, "apply", "--auto-approve")
    assert code == 0, err
    assert not of(messages, "apply_start")  # no MetaStudio call to report
    assert sorted(project.state()["voices"]) == ["anchor"]
