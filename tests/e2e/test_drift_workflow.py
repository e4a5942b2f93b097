"""The drift workflow's shell, run for real against the emulator.

Its two run blocks are executed by bash as Actions would (the step's env, GITHUB_OUTPUT),
with the installed `reconciler` and the emulator standing in for MetaStudio; a stand-in
`gh` on PATH records what would have been asked of GitHub.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from tests.e2e.conftest import Project, lock_held
from tests.metastudio.conftest import make_client

WORKFLOW = (
    Path(__file__).resolve().parents[2] / "examples/gitops/.github/workflows/reconciler-drift.yml"
)
FAKE_GH = """#!/bin/bash
echo "$*" >> "$GH_LOG"
if [ "$1 $2" = "issue list" ]; then cat "$GH_OPEN"; fi
"""


def _steps() -> dict[str, dict[str, Any]]:
    document = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    return {s["name"]: s for s in document["jobs"]["drift"]["steps"] if "name" in s}


class Runner:
    def __init__(self, project: Project, tmp_path: Path) -> None:
        self.project = project
        self.work = tmp_path / "runner"
        self.work.mkdir()
        bin_dir = tmp_path / "bin"
        bin_dir.mkdir()
        (bin_dir / "gh").write_text(FAKE_GH, encoding="utf-8")
        (bin_dir / "gh").chmod(0o755)
        self.log = tmp_path / "gh.log"
        self.open_issue = tmp_path / "open"
        document = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
        self.env = {
            **{k: str(v) for k, v in document["env"].items()},
            **project.environ,
            "CONFIG": str(project.root),
            "PATH": os.pathsep.join(
                [str(bin_dir), str(Path(sys.executable).parent), "/usr/bin", "/bin"]
            ),
            "HOME": str(tmp_path),
            "GH_LOG": str(self.log),
            "GH_OPEN": str(self.open_issue),
            "GITHUB_SERVER_URL": "https://github.example",
            "GITHUB_REPOSITORY": "team/voices",
            "GITHUB_RUN_ID": "42",
        }

    def step(
        self, name: str, **env: str
    ) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
        output = self.work / "output"
        output.write_text("")
        result = subprocess.run(
            ["bash", "-e", "-c", _steps()[name]["run"]],
            cwd=self.work,
            env={
                **self.env,
                "GITHUB_OUTPUT": str(output),
                "GITHUB_STEP_SUMMARY": str(self.work / "summary"),
                **env,
            },
            capture_output=True,
            text=True,
            timeout=120,
        )
        outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
        return result, outputs

    def check(self, open_issue: str = "") -> tuple[str, list[str]]:
        """Both steps; the gh calls made, and the drift output."""
        self.log.write_text("")
        self.open_issue.write_text(open_issue)
        plan, outputs = self.step("Plan and look for drift")
        assert plan.returncode == 0, plan.stdout + plan.stderr
        issue, _ = self.step("Open, update or close the drift issue", DRIFT=outputs["drift"])
        assert issue.returncode == 0, issue.stdout + issue.stderr
        return outputs["drift"], self.log.read_text().splitlines()


def test_drift_opens_updates_and_closes_one_issue(project: Project, tmp_path: Path) -> None:
    assert project.run("apply", "--auto-approve")[0] == 0
    runner = Runner(project, tmp_path)

    drift, calls = runner.check()
    assert drift == "false"
    assert [c.split()[:2] for c in calls] == [["issue", "list"]]

    job = project.state()["voices"]["third"]["job_id"]
    with make_client(project.emulator.base_url) as client:
        client.delete_job(job)  # as someone would in the console
    drift, calls = runner.check()
    assert drift == "true"
    assert [c.split()[:2] for c in calls] == [
        ["issue", "list"],
        ["label", "create"],
        ["issue", "create"],
    ]
    assert "--label reconciler-drift" in calls[2]
    body = (runner.work / "body.md").read_text(encoding="utf-8")
    assert body.startswith("<!-- reconciler-drift -->\n")
    assert "- **voice.third**: vanished (no job)" in body
    assert "voice.third" in body.split("Fix the configuration", 1)[1]  # the markdown plan
    assert "actions/runs/42" in body

    drift, calls = runner.check(open_issue="7")
    assert [c.split()[:3] for c in calls[1:]] == [["issue", "edit", "7"], ["issue", "comment", "7"]]

    assert project.run("apply", "--auto-approve")[0] == 0  # the job is created again
    drift, calls = runner.check(open_issue="7")
    assert drift == "false"
    assert [c.split()[:3] for c in calls[1:]] == [["issue", "close", "7"]]


def test_a_plan_error_fails_the_job_with_its_diagnostics(project: Project, tmp_path: Path) -> None:
    runner = Runner(project, tmp_path)
    (project.root / "voices.yaml").write_text("version: 1\nvoices: {x: {edition: gold}}\n")
    result, outputs = runner.step("Plan and look for drift")
    assert result.returncode == 1
    assert "drift" not in outputs
    assert "Error: " in result.stderr and "edition" in result.stderr


def test_an_apply_holding_the_lock_skips_the_check_instead_of_failing_it(
    project: Project, tmp_path: Path
) -> None:
    runner = Runner(project, tmp_path)
    with lock_held(project.state_path) as lock_id:
        result, outputs = runner.step("Plan and look for drift", LOCK_TIMEOUT="1")
    assert result.returncode == 0, result.stdout + result.stderr
    assert outputs == {"drift": "skipped"}
    # A notice on the run, naming the holder, and the reason in the job summary.
    notice = result.stdout.splitlines()[-1]
    assert notice.startswith("::notice title=Drift check skipped::state ")
    assert lock_id in notice and "after waiting 1s" in notice
    summary = (runner.work / "summary").read_text(encoding="utf-8")
    assert "### reconciler drift check skipped" in summary and lock_id in summary
    # The issue step does not run after a skipped check.
    assert _steps()["Open, update or close the drift issue"]["if"] == (
        "steps.plan.outputs.drift != 'skipped'"
    )

    # Any other error still fails the job.
    (project.root / "voices.yaml").write_text("version: 1\nvoices: {x: {edition: gold}}\n")
    result, outputs = runner.step("Plan and look for drift", LOCK_TIMEOUT="1")
    assert result.returncode == 1 and "drift" not in outputs
