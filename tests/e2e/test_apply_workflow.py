"""The GitOps workflow's apply step, run for real against the emulator.

Its run block is executed by bash as Actions would (the step's env, GITHUB_OUTPUT and the job
summary), with the `reconciler` under test applying a saved plan: what it writes to apply.md
is the comment the next step posts to the merged pull request.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.e2e.conftest import REPO, Project
from tests.metastudio.conftest import SK

WORKFLOW = REPO / "examples/gitops/.github/workflows/reconciler.yml"
COMMIT = "0123456789abcdef0123456789abcdef01234567"


def _apply_step() -> dict[str, Any]:
    document = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    steps = document["jobs"]["main-apply"]["steps"]
    return dict(next(step for step in steps if step.get("id") == "apply"))


def _run_apply_step(project: Project, work: Path) -> tuple[dict[str, str], str]:
    """The step's outputs and the comment it wrote."""
    document = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    output = work / "output"
    output.write_text("", encoding="utf-8")
    (work / "apply.md").unlink(missing_ok=True)
    environ = {
        **{k: str(v) for k, v in document["env"].items()},
        **project.environ,  # what the step's env gives from the production secrets
        "CONFIG": str(project.root),
        "COMMIT": COMMIT,
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), "/usr/bin", "/bin"]),
        "PYTHONPATH": str(REPO),
        "HOME": str(work),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(work / "summary"),
        "GITHUB_SERVER_URL": "https://github.example",
        "GITHUB_REPOSITORY": "team/voices",
        "GITHUB_RUN_ID": "42",
    }
    result = subprocess.run(
        ["bash", "-e", "-c", _apply_step()["run"]],
        cwd=work,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr  # a later step fails the job
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    return outputs, (work / "apply.md").read_text(encoding="utf-8")


def test_the_apply_step_writes_the_result_for_the_pull_request(
    project: Project, tmp_path: Path
) -> None:
    work = tmp_path / "runner"
    work.mkdir()
    code, _, _ = project.run("plan", "--out", str(work / "reconciler.plan"))
    assert code == 0

    outputs, comment = _run_apply_step(project, work)

    assert outputs == {"status": "0"}
    lines = comment.splitlines()
    assert lines[:2] == ["<!-- reconciler-apply -->", "### reconciler apply succeeded"]
    assert f"`{COMMIT}`" in comment
    assert "(https://github.example/team/voices/actions/runs/42)" in comment
    log = comment.split("````text\n", 1)[1]
    assert "Apply complete: 5 created" in log and log.endswith("````\n")
    assert SK not in comment
    assert comment in (work / "summary").read_text(encoding="utf-8")
    assert len(project.jobs()) == 5


def test_a_refused_apply_is_reported_too_and_changes_nothing(
    project: Project, tmp_path: Path
) -> None:
    work = tmp_path / "runner"
    work.mkdir()
    assert project.run("plan", "--out", str(work / "reconciler.plan"))[0] == 0
    assert project.run("apply", "--auto-approve")[0] == 0  # the state moves on meanwhile
    jobs = {job["job_id"] for job in project.jobs()}

    outputs, comment = _run_apply_step(project, work)

    assert outputs == {"status": "1"}
    assert comment.splitlines()[:2] == [
        "<!-- reconciler-apply -->",
        "### reconciler apply failed (exit code 1)",
    ]
    log = comment.split("````text\n", 1)[1]
    assert "the saved plan belongs to state lineage" in log
    assert "run `reconciler plan --out FILE` again" in log
    assert {job["job_id"] for job in project.jobs()} == jobs
