"""Standard output going away: a reader that closes the pipe early, or a full disk.

Real processes on real pipes and /dev/full: a closed pipe ends quietly with 141 (as a shell
reports a process SIGPIPE ended), after apply lets the steps in flight finish and record; a
full stdout gives one line on stderr and exit 1. Never a traceback without --debug.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pytest

from reconciler.emulator import FaultPlan
from tests.e2e.conftest import REPO, Project
from tests.e2e.test_crash_safety import check_converged, check_invariants

FULL = "Error: cannot write to standard output: No space left on device"
NOISE = ("Traceback", "unexpected", "Exception ignored", "BrokenPipeError")


def _environ(project: Project) -> dict[str, str]:
    return {**os.environ, **project.environ, "PYTHONPATH": str(REPO)}


def run(project: Project, stdout: int | IO[bytes], *argv: str) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-m", "reconciler", *argv],
        cwd=project.root,
        env=_environ(project),
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stderr


@contextmanager
def closed_pipe() -> Iterator[int]:
    """The write end of a pipe whose reader is already gone (`... | true`)."""
    read, write = os.pipe()
    os.close(read)
    try:
        yield write
    finally:
        os.close(write)


def lock_info(project: Project) -> Path:
    return project.state_path.with_name(project.state_path.name + ".lock.info")


def errors(stderr: str) -> list[str]:
    """The error lines (preflight warnings about the short test takes go to stderr too)."""
    assert not any(word in stderr for word in NOISE), stderr
    return [line for line in stderr.splitlines() if line.startswith("Error:")]


def quiet(stderr: str) -> None:
    assert errors(stderr) == [], stderr


@pytest.mark.parametrize(
    "argv", [("plan",), ("plan", "--json"), ("validate",), ("status", "--json")]
)
def test_a_closed_pipe_ends_quietly_with_141(project: Project, argv: tuple[str, ...]) -> None:
    with closed_pipe() as stdout:
        code, err = run(project, stdout, *argv)
    assert code == 141, err
    quiet(err)


def test_plan_json_piped_to_head(project: Project) -> None:
    # head leaves after the version message; the plan's messages come after the refresh.
    script = f"{sys.executable} -m reconciler plan --json | head -c 10; exit ${{PIPESTATUS[0]}}"
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=project.root,
        env=_environ(project),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert len(done.stdout) == 10, done.stdout
    assert done.returncode == 141, done.stderr
    quiet(done.stderr)


@pytest.mark.parametrize("argv", [("plan",), ("plan", "--json"), ("state", "list")])
def test_a_full_stdout_is_one_line_on_stderr(project: Project, argv: tuple[str, ...]) -> None:
    if argv[0] == "state":
        assert project.run("apply", "--auto-approve")[0] == 0
    with open("/dev/full", "wb") as stdout:
        code, err = run(project, stdout, *argv)
    assert code == 1, err
    assert errors(err) == [FULL], err


def test_with_debug_the_traceback_is_shown(project: Project) -> None:
    with open("/dev/full", "wb") as stdout:
        code, err = run(project, stdout, "--debug", "plan")
    assert code == 1 and FULL in err and "Traceback" in err, err


def test_apply_to_a_full_stdout_changes_nothing(project: Project) -> None:
    with open("/dev/full", "wb") as stdout:
        code, err = run(project, stdout, "apply", "--auto-approve")
    assert code == 1 and errors(err) == [FULL], err
    assert project.jobs() == [] and not lock_info(project).exists()


@pytest.mark.parametrize("json", [False, True], ids=["text", "json"])
def test_apply_whose_reader_goes_away_finishes_the_steps_in_flight(
    project: Project, json: bool
) -> None:
    # Slow uploads: the reader leaves while data is being uploaded.
    project.emulator.set_faults(FaultPlan.parse({"object_put": {"latency": 0.5}}))
    argv = ["apply", "--auto-approve", "--parallelism", "2", *(["--json"] if json else [])]
    process = subprocess.Popen(
        [sys.executable, "-m", "reconciler", *argv],
        cwd=project.root,
        env=_environ(project),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    uploading = None
    for line in process.stdout:
        # One file each (basic-seg's sentences are several uploads, each a step boundary).
        if "uploading training data" in line and "basic-seg" not in line:
            uploading = line
            break
    process.stdout.close()  # like `| head`: the reader is gone, the apply goes on writing
    err = process.stderr.read()
    process.wait(timeout=120)
    assert uploading is not None, err
    assert process.returncode == 141, err
    quiet(err)

    # Every job made is recorded, and the upload in flight finished and was recorded.
    check_invariants(project)
    records = project.state()["voices"]
    assert {r["job_id"] for r in records.values()} == {j["job_id"] for j in project.jobs()}
    name = next(n for n in records if f"voice.{n}" in uploading)
    assert records[name]["phase"] in ("uploaded", "submitted"), records[name]
    assert not lock_info(project).exists()

    project.emulator.set_faults(FaultPlan())
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0, out + err
    check_converged(project)
