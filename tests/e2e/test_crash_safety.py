"""Kill -9 an apply at many points; the next apply must converge with one job per voice."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest

from reconciler.emulator import FaultPlan
from tests.e2e.conftest import REPO, Project
from tests.metastudio.conftest import make_client

VOICE_NAMES = ["Basic Dir", "Basic Segments", "Advanced Package", "Premium", "Third"]


def start_apply(project: Project) -> subprocess.Popen[str]:
    env = {**os.environ, **project.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-m", "reconciler", "apply", "--auto-approve", "--parallelism", "2"],
        cwd=project.root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def kill_after(process: subprocess.Popen[str], marker: str | None, delay: float) -> list[str]:
    """SIGKILL once ``marker`` appears in the output (then ``delay`` later), or at exit."""
    seen: list[str] = []
    assert process.stdout is not None
    timer: threading.Timer | None = None
    for line in process.stdout:
        seen.append(line.rstrip())
        if marker is not None and marker in line and timer is None:
            timer = threading.Timer(delay, lambda: process.send_signal(signal.SIGKILL))
            timer.start()
    process.wait(timeout=60)
    if timer is not None:
        timer.cancel()
    return seen


def check_invariants(project: Project) -> None:
    """What must hold at every instant: a state that reads back whole (the snapshot valid
    JSON, its journal replayed), recording only jobs that exist, and never two jobs for a
    voice."""
    if project.state_path.exists():
        snapshot = json.loads(project.state_path.read_text())  # never half-written
        assert isinstance(snapshot["voices"], dict)
    jobs = project.jobs()
    recorded = {r["job_id"] for r in project.state()["voices"].values() if r["job_id"]}
    assert recorded <= {job["job_id"] for job in jobs}, "the state records a job never made"
    counts = Counter(job["voice_name"] for job in jobs)
    assert all(n == 1 for n in counts.values()), counts


def check_converged(project: Project) -> None:
    jobs = {job["job_id"]: job for job in project.jobs()}
    assert Counter(job["voice_name"] for job in jobs.values()) == Counter(VOICE_NAMES)
    records = project.state()["voices"]
    assert {r["job_id"] for r in records.values()} == set(jobs)  # none orphaned, none missing
    phases = {name: (r["phase"], jobs[r["job_id"]]["state"]) for name, r in records.items()}
    assert all(r["phase"] == "submitted" for r in records.values()), phases
    assert {jobs[r["job_id"]]["state"] for r in records.values()} == {"SYSTEM_AUDITING"}


# Step lines apply prints, in the order a voice goes through them.
MARKERS = [
    "creating",  # the create is (about to be) in flight: the ambiguous window
    "created job",  # job ID recorded, nothing uploaded
    "uploading training data",  # mid-upload
    "uploaded training data",  # between uploads and submit
    "submitting",  # submit in flight
]


@pytest.mark.parametrize("marker", MARKERS)
def test_kill_at_each_step_then_converge(project: Project, marker: str) -> None:
    # Slow every call a little so a kill lands inside the step, not after the whole run.
    project.emulator.set_faults(FaultPlan.parse({"*": {"latency": 0.02}}))
    output = kill_after(start_apply(project), marker, 0.05)
    assert any(marker in line for line in output), output
    check_invariants(project)
    project.emulator.set_faults(FaultPlan())
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0, out + err
    check_converged(project)
    assert project.run("plan", "--detailed-exitcode")[0] == 0


def test_random_kills_until_done(project: Project) -> None:
    rng = random.Random(20261121)
    project.emulator.set_faults(FaultPlan.parse({"*": {"latency": 0.01}}))
    for _ in range(8):
        process = start_apply(project)
        threading.Timer(
            rng.uniform(0.6, 2.5),
            lambda p=process: p.poll() is None and p.send_signal(signal.SIGKILL),
        ).start()
        process.communicate(timeout=60)
        check_invariants(project)
        if process.returncode == 0:
            break
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0, out + err
    check_converged(project)


def test_faults_converge_without_duplicates(project: Project) -> None:
    project.emulator.set_faults(
        FaultPlan.parse(
            {
                "create_*": {"drop_response": 0.5},
                "commit_job": {"drop_response": 0.3},
                "*": {"error_500": 0.08, "throttle_429": 0.08, "retry_after": 0, "reset": 0.04},
            }
        )
    )
    for attempt in range(6):  # noqa: B007 (named in the failure message)
        code, out, err = project.run("apply", "--auto-approve")
        check_invariants(project)
        if code == 0:
            break
    else:
        raise AssertionError(f"no convergence after {attempt + 1} applies:\n{out}{err}")
    fired = project.admin("GET", "/stats")["faults"]
    assert sum(sum(kinds.values()) for kinds in fired.values()) > 0, fired
    project.emulator.set_faults(FaultPlan())
    check_converged(project)


def test_two_concurrent_applies(project: Project) -> None:
    project.emulator.set_faults(FaultPlan.parse({"object_put": {"latency": 0.3}}))
    first = start_apply(project)
    assert first.stdout is not None
    first.stdout.readline()  # it has the lock once it prints anything
    started = time.monotonic()
    code, _, err = project.run("apply", "--auto-approve")
    assert code == 1 and "locked" in err and "apply" in err and "force-unlock" in err
    assert time.monotonic() - started < 5
    first.communicate(timeout=60)
    assert first.returncode == 0
    check_converged(project)


def test_ctrl_c_finishes_the_step_in_flight_then_stops(project: Project) -> None:
    project.emulator.set_faults(FaultPlan.parse({"object_put": {"latency": 0.2}}))
    process = start_apply(project)
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line.rstrip())
        if "uploading training data" in line:
            process.send_signal(signal.SIGINT)
            break
    rest, _ = process.communicate(timeout=60)
    output = "\n".join(lines) + "\n" + rest
    assert process.returncode == 130, output
    assert "Interrupted: every finished step is recorded" in output
    assert "Traceback" not in output
    check_invariants(project)
    recorded = [r["job_id"] for r in project.state()["voices"].values() if r["job_id"]]
    assert recorded and set(recorded) <= {job["job_id"] for job in project.jobs()}
    # nothing was submitted after the interrupt, and the next apply finishes the rest
    project.emulator.set_faults(FaultPlan())
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0, out + err
    check_converged(project)


def test_a_submit_that_landed_after_the_refresh_is_recorded_not_failed(project: Project) -> None:
    """A killed run's submit can reach MetaStudio after the next run's refresh: the next
    submit is refused (the job is past CREATING), and that means the job is submitted."""
    project.admin("PUT", "/faults", {"commit_job": {"error_500": 1.0}})
    code, out, err = project.run("apply", "--auto-approve", "--target", "voice.premium")
    assert code == 1, out + err  # every submit answered 500: the voice is left uploaded
    assert project.state()["voices"]["premium"]["phase"] == "uploaded"
    project.admin("PUT", "/faults", {})
    code, out, err = project.run("plan", "--target", "voice.premium", "--out", "tfplan")
    assert code == 0 and "will be submitted" in out, out + err
    (job,) = [j for j in project.jobs() if j["voice_name"] == "Premium"]
    with make_client(project.emulator.base_url) as client:
        client.submit_job(job["job_id"])  # the lost submit lands now, after the plan
    code, out, err = project.run("apply", "tfplan")
    assert code == 0, out + err
    record = project.state()["voices"]["premium"]
    assert record["phase"] == "submitted" and record["remote_state"] != "CREATING"
    assert [j["job_id"] for j in project.jobs() if j["voice_name"] == "Premium"] == [job["job_id"]]
