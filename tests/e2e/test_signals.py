"""SIGTERM is handled like Ctrl-C by every long-running command; killed runs' packages go."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reconciler.emulator import FaultPlan
from tests.e2e.conftest import REPO, Project
from tests.e2e.test_crash_safety import check_converged, check_invariants, kill_after, start_apply


def start(project: Project, *argv: str) -> subprocess.Popen[str]:
    env = {**os.environ, **project.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, "-m", "reconciler", *argv],
        cwd=project.root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def lock_info(project: Project) -> Path:
    return project.state_path.with_name(project.state_path.name + ".lock.info")


def packages(project: Project) -> list[str]:
    return sorted(p.name for p in (project.root / ".reconciler" / "tmp").glob("package-*"))


def check_released(project: Project, *argv: str) -> None:
    """No lock left behind, and a second run (by default a plan) takes it at once."""
    assert not lock_info(project).exists()
    code, out, err = project.run(*(argv or ("plan",)))
    assert code == 0, out + err


def test_sigterm_finishes_the_step_in_flight_then_exits_143(project: Project) -> None:
    project.emulator.set_faults(FaultPlan.parse({"object_put": {"latency": 0.2}}))
    process = start_apply(project)
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line.rstrip())
        if "uploading training data" in line:
            process.send_signal(signal.SIGTERM)
            break
    rest, _ = process.communicate(timeout=60)
    output = "\n".join(lines) + "\n" + rest
    assert process.returncode == 143, output
    assert "Interrupted: every finished step is recorded" in output
    assert "Traceback" not in output and "unexpected" not in output
    # Voices the signal stopped did nothing wrong: counted as stopped, none as failed.
    summary = re.search(r"^Apply (stopped|finished with errors): .*$", output, re.M)
    assert summary is not None and summary.group(1) == "stopped", output
    assert re.search(r", \d+ stopped\.$", summary.group(0)) and "failed" not in summary.group(0)
    check_invariants(project)
    recorded = [r["job_id"] for r in project.state()["voices"].values() if r["job_id"]]
    assert recorded and set(recorded) <= {job["job_id"] for job in project.jobs()}
    assert not any(r["phase"] == "submitted" for r in project.state()["voices"].values())
    project.emulator.set_faults(FaultPlan())
    check_released(project)
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0, out + err
    check_converged(project)


def test_the_next_apply_removes_packages_a_killed_run_left(project: Project) -> None:
    # Slow uploads: the kill lands while basic-dir's zipped folder is being uploaded.
    project.emulator.set_faults(FaultPlan.parse({"object_put": {"latency": 1.0}}))
    output = kill_after(start_apply(project), "voice.basic-dir: uploading training data", 0.3)
    assert any("voice.basic-dir: uploading" in line for line in output), output
    left = packages(project)  # basic-dir's, and premium's too if its upload had begun
    assert 1 <= len(left) <= 2, left
    assert all(
        (project.root / ".reconciler" / "tmp" / name / "data.zip").is_file() for name in left
    )
    # Another state's folder (another config in the same directory) is not ours to remove.
    foreign = project.root / ".reconciler" / "tmp" / "package-0123456789ab-other"
    foreign.mkdir()

    project.emulator.set_faults(FaultPlan())
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0, out + err
    check_converged(project)
    assert packages(project) == [foreign.name]


def applied(project: Project) -> None:
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0, out + err


@pytest.mark.parametrize(
    ("argv", "prepare"),
    [
        (("plan",), None),
        (("destroy", "--auto-approve"), applied),
        (("status", "--wait", "--poll-interval", "0.2"), applied),
        (("import", "voice.third", "JOB"), applied),
    ],
    ids=["plan", "destroy", "status-wait", "import"],
)
def test_every_long_running_command_stops_cleanly_on_sigterm(
    project: Project, argv: tuple[str, ...], prepare: object
) -> None:
    if prepare is not None:
        applied(project)
    if argv[0] == "import":
        job_id = project.state()["voices"]["third"]["job_id"]
        code, out, err = project.run("state", "rm", "voice.third")
        assert code == 0, out + err
        argv = ("import", "voice.third", job_id)
    before = project.state_path.read_text() if project.state_path.exists() else None
    # Every call slow: the signal lands while the command waits for MetaStudio.
    project.emulator.set_faults(FaultPlan.parse({"*": {"latency": 1.0}}))
    process = start(project, *argv)
    if argv[0] == "status":  # it takes the lock only briefly, to record what it saw
        time.sleep(2.5)
    else:
        deadline = time.monotonic() + 20
        while not lock_info(project).exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)
    assert process.poll() is None, process.communicate()
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 143, output
    assert "Terminated." in output or "Interrupted:" in output, output
    assert "Traceback" not in output and "unexpected" not in output, output
    project.emulator.set_faults(FaultPlan())
    if before is not None:
        json.loads(project.state_path.read_text())  # parses
    check_released(project, *(argv if argv[0] == "import" else ()))
