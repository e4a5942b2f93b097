"""A CI log of a slow run shows steady progress: the waits say they go on (real runs over the
emulator; the exact cadence is counted on a manual clock in tests/views)."""

from __future__ import annotations

from reconciler.emulator import FaultPlan
from tests.e2e.conftest import ONE_PREMIUM, Project, lock_held
from tests.e2e.status_helpers import apply


def test_a_lock_wait_names_the_holder_and_keeps_saying_so(project: Project) -> None:
    project.environ["RECONCILER_PROGRESS_INTERVAL"] = "0.1"
    with lock_held(project.state_path) as lock_id:
        code, _, err = project.run("plan", "--lock-timeout", "0.8")
    assert code == 1
    lines = err.splitlines()
    waiting = [line for line in lines if line.startswith("waiting for the state lock held by ")]
    assert len(waiting) == 1 and f"'apply', lock ID {lock_id}) since " in waiting[0]
    still = [line for line in lines if line.startswith("still waiting for the state lock")]
    assert len(still) >= 2, err
    assert lines[-1].startswith("Error: state ") and "after waiting 0.8s" in lines[-1]


def test_a_slow_upload_shows_bytes_in_the_log(project: Project) -> None:
    project.write_config(ONE_PREMIUM)
    project.environ["RECONCILER_PROGRESS_INTERVAL"] = "0.05"
    project.emulator.set_faults(FaultPlan.parse({"object_put": {"latency": 0.6}}))
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0, out + err
    uploading = [line for line in out.splitlines() if line.startswith("uploading: ")]
    assert uploading, out
    assert all(" of " in line and "/s, 1 file in flight" in line for line in uploading)
    assert "voice.premium: uploaded training data" in out


def test_a_wait_for_training_keeps_saying_where_it_stands(project: Project) -> None:
    apply(project, "alpha")  # the emulator's job stays in review until the test moves it
    project.environ["RECONCILER_PROGRESS_INTERVAL"] = "0.1"
    code, out, err = project.run("status", "--wait", "--timeout", "0.8", "--poll-interval", "0.5")
    assert code == 1 and "timed out after 0.8 s" in err
    lines = out.splitlines()
    assert lines[:2] == [
        "Waiting for 1 of 1 voices to finish training...",
        "voice.alpha: SYSTEM_AUDITING",
    ]
    still = [line for line in lines if line.startswith("still waiting (")]
    assert len(still) >= 2, out
    assert all(line.endswith("1 voice: 1 SYSTEM_AUDITING.") for line in still)
