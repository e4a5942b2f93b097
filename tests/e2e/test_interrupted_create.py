"""Removing a voice whose create was interrupted never leaves its job recorded nowhere."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from reconciler.emulator import FaultPlan
from tests.e2e.conftest import ONE_PREMIUM, PREMIUM_AND_THIRD, REPO, Project


def received(project: Project, operation_prefix: str) -> bool:
    """The emulator has the request (it counts them on arrival, before any injected latency)."""
    operations = project.emulator.stats()["operations"]
    return any(name.startswith(operation_prefix) for name in operations)


def run_and_kill(project: Project, argv: list[str], marker: str, operation: str) -> list[str]:
    """Run the CLI in a subprocess; once it printed ``marker`` and the emulator received the
    ``operation`` request (slowed down by the caller), SIGKILL it: the request is in flight."""
    project.emulator.reset_stats()
    env = {**os.environ, **project.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-m", "reconciler", *argv],
        cwd=project.root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line.rstrip())
        if marker in line:
            deadline = time.monotonic() + 10
            while not received(project, operation) and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(0.1)  # the request body (a few bytes) follows its headers
            process.send_signal(signal.SIGKILL)
            break
    process.communicate(timeout=60)
    assert any(marker in line for line in lines), lines
    return lines


def wait_for_jobs(project: Project, count: int) -> list[dict[str, object]]:
    deadline = time.monotonic() + 10
    while len(jobs := project.jobs()) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return jobs


def interrupted_create(project: Project, voice_name: str, jobs_before: int = 0) -> str:
    """An apply killed while its create is in flight: MetaStudio makes the job (and drops the
    answer), the state records only the attempt. Returns the job's ID."""
    project.emulator.set_faults(
        FaultPlan.parse({"create_*": {"latency": 1.5, "drop_response": 1.0}})
    )
    run_and_kill(project, ["apply", "--auto-approve"], "creating", "create_")
    jobs = wait_for_jobs(project, jobs_before + 1)
    project.emulator.set_faults(FaultPlan())
    made = [job for job in jobs if job["voice_name"] == voice_name]
    assert len(made) == 1, jobs
    pending = [r for r in project.state()["voices"].values() if r["job_id"] is None]
    assert len(pending) == 1 and pending[0]["create_attempt"]["voice_name"] == voice_name
    return str(made[0]["job_id"])


def test_destroy_deletes_the_job_an_interrupted_create_made(project: Project) -> None:
    project.write_config(ONE_PREMIUM)
    job_id = interrupted_create(project, "Premium")

    code, out, err = project.run("plan", "--destroy")
    assert code == 0, out + err
    assert f"job {job_id}, made by an interrupted create, will be deleted" in out

    # The explicit "forget" refuses: it would leave the job recorded nowhere.
    code, out, err = project.run("state", "rm", "voice.premium")
    assert code == 1 and "reconciler destroy --target voice.premium" in err, out + err
    assert len(project.jobs()) == 1

    code, out, err = project.run("destroy", "--auto-approve")
    assert code == 0, out + err
    assert f"deleting job {job_id}" in out and "Destroy complete: 1 destroyed." in out
    assert project.jobs() == []
    assert project.state()["voices"] == {}

    # Honest afterwards: nothing to destroy, and the voice is simply created again.
    code, out, err = project.run("plan", "--destroy")
    assert code == 0 and "No voices need to be destroyed." in out, out + err
    code, out, err = project.run("plan", "--detailed-exitcode")
    assert (
        code == 2 and "Plan: 1 to create, 0 to update" in out and "already has job" not in out + err
    ), out + err


def test_a_voice_removed_from_the_config_takes_its_interrupted_job_along(
    project: Project,
) -> None:
    project.write_config(ONE_PREMIUM)
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0, out + err
    kept = project.state()["voices"]["premium"]["job_id"]
    project.write_config(PREMIUM_AND_THIRD)
    made = interrupted_create(project, "Third", jobs_before=1)

    project.write_config(ONE_PREMIUM)  # voice.third removed
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0, out + err
    assert f"deleting job {made}" in out
    assert [job["job_id"] for job in project.jobs()] == [kept]
    assert list(project.state()["voices"]) == ["premium"]
    code, out, err = project.run("plan", "--detailed-exitcode")
    assert code == 0 and "No changes" in out, out + err


def test_a_kill_between_lookup_and_delete_loses_nothing(project: Project) -> None:
    project.write_config(ONE_PREMIUM)
    job_id = interrupted_create(project, "Premium")

    project.emulator.set_faults(FaultPlan.parse({"delete_job": {"latency": 2.0}}))
    run_and_kill(project, ["destroy", "--auto-approve"], f"deleting job {job_id}", "delete_job")
    project.emulator.set_faults(FaultPlan())
    # Killed with the delete in flight: the state already names the job it found.
    record = project.state()["voices"]["premium"]
    assert record["job_id"] == job_id and record["create_attempt"] is None

    code, out, err = project.run("destroy", "--auto-approve")
    assert code == 0, out + err
    assert project.jobs() == [] and project.state()["voices"] == {}


def test_replacing_a_voice_with_an_interrupted_create_keeps_one_job(project: Project) -> None:
    project.write_config(ONE_PREMIUM)
    job_id = interrupted_create(project, "Premium")

    code, out, err = project.run("apply", "--auto-approve", "--replace", "voice.premium")
    assert code == 0, out + err
    assert [job["job_id"] for job in project.jobs()] == [job_id]
    assert project.state()["voices"]["premium"]["job_id"] == job_id
    code, out, err = project.run("plan", "--detailed-exitcode")
    assert code == 0, out + err
