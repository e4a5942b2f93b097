"""The parts of issue 23 used together: a move that comes with an in-place update, and an
--exclude that holds back a move by either of its addresses. None may cost a training."""

from __future__ import annotations

from tests.e2e.conftest import Project
from tests.e2e.test_destroy_assets import trained
from tests.e2e.test_in_place_update import asset
from tests.e2e.test_moved import MOVED, operations, paid_calls

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
    assert project.jobs() == [job]
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
