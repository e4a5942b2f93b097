"""The parts of issue 23 used together: a move that comes with an in-place update, and an
--exclude that holds back a move by either of its addresses. None may cost a training."""

from __future__ import annotations

from tests.e2e.conftest import Project
from tests.e2e.test_destroy_assets import trained
from tests.e2e.test_in_place_update import asset
from tests.e2e.test_moved import MOVED, operations, paid_calls
from tests.e2e.test_plan_tampering import jobs_of, without_urls

DESCRIBED_AND_MOVED = MOVED.replace(
    "  anchor:\n", "  anchor:\n    description: the news anchor\n", 1
)


def test_a_moved_voice_is_updated_in_place_without_training(project: Project) -> None:
    asset_id = trained(project)
    (job,) = project.jobs()
    project.write_config(DESCRIBED_AND_MOVED)
    code, out, err = project.run("plan")
    assert code == 0, out + err
    assert "# voice.anchor will be updated in place (UpdateDigitalAsset: asset_description)" in out
    assert "# (moved from voice.premium)" in out, out

    project.admin("DELETE", "/stats")
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0, out + err
    assert paid_calls(project) == [] and operations(project)["update_asset"] == 1
    assert jobs_of(project) == [without_urls(job)]  # the same job, kept
    assert asset(project, asset_id)["asset_description"] == "the news anchor"
    state = project.state()
    assert list(state["voices"]) == ["anchor"]
    assert state["voices"]["anchor"]["job_id"] == job["job_id"]
    code, out, _ = project.run("plan")
    assert code == 0 and "No changes." in out, out


def test_an_exclude_of_either_address_holds_back_the_move(project: Project) -> None:
    trained(project)
    project.write_config(MOVED)
    for excluded in ("voice.premium", "voice.anchor"):
        state = project.state_path.read_bytes()
        code, out, err = project.run("apply", "--auto-approve", "--exclude", excluded)
        assert code == 0, out + err
        assert "has moved" not in out and project.state_path.read_bytes() == state, out
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0 and "1 moved" in out, out + err
    assert list(project.state()["voices"]) == ["anchor"]


def test_a_restored_voice_takes_a_description_in_place_and_can_be_destroyed(
    project: Project,
) -> None:
    from tests.e2e.conftest import ONE_PREMIUM
    from tests.e2e.test_restore import destroyed

    asset_id = destroyed(project)
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0 and f"restored asset {asset_id}" in out, out + err
    project.write_config(ONE_PREMIUM + "    description: back again\n")
    project.admin("DELETE", "/stats")
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0, out + err
    assert "updated in place" in out or "1 updated" in out, out
    assert paid_calls(project) == [] and operations(project)["update_asset"] == 1
    assert asset(project, asset_id)["asset_description"] == "back again"
    assert project.jobs() == []
    code, out, _ = project.run("plan")
    assert code == 0 and "No changes." in out, out

    code, out, err = project.run("destroy", "--auto-approve")
    assert code == 0, out + err
    assert "premium" not in project.state()["voices"]
    assert asset_id in [r["asset_id"] for r in project.state()["deleted_assets"]]
