"""The example configurations validate, and the GitOps workflow and hook say what they must."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.examples.helpers import (
    GITOPS,
    REPO,
    copy_quickstart,
    gitops_voices_with_data,
    make_data,
    reconciler,
    run,
)

WORKFLOW = GITOPS / ".github" / "workflows" / "reconciler.yml"
MARKER = "<!-- reconciler-plan -->"
FORK_CHECK = "github.event.pull_request.head.repo.fork"


def test_quickstart_validates_without_warnings(tmp_path: Path) -> None:
    project = copy_quickstart(tmp_path)
    assert make_data(project).returncode == 0

    result = reconciler("validate", "--strict", "examples/quickstart", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr
    assert result.stdout.strip().splitlines()[-1] == "Valid: 5 voices in 1 file."


def test_quickstart_schema_comment_points_at_the_schema() -> None:
    first_line = (REPO / "examples" / "quickstart" / "voices.yaml").read_text().splitlines()[0]
    match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first_line)
    assert match is not None
    assert (REPO / "examples" / "quickstart" / match.group(1)).resolve().is_file()


def test_gitops_voices_validate_with_their_data(tmp_path: Path) -> None:
    gitops_voices_with_data(tmp_path / "voices")

    result = reconciler("validate", "--strict", "voices", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "Valid: 2 voices in 1 file."


def _workflow() -> dict[Any, Any]:
    document = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def test_workflow_plans_pull_requests_and_applies_the_saved_plan_on_main() -> None:
    workflow = _workflow()
    triggers = workflow["on" if "on" in workflow else True]  # YAML 1.1: bare `on` is true
    assert "pull_request" in triggers
    assert triggers["push"]["branches"] == ["main"]
    text = WORKFLOW.read_text(encoding="utf-8")
    assert MARKER in text
    assert FORK_CHECK in text
    assert "--lock-timeout" in text  # plans and applies wait for each other's state lock

    jobs = workflow["jobs"]
    pr_steps = "\n".join(str(step) for step in jobs["pr-plan"]["steps"])
    assert "reconciler validate" in pr_steps and "--format markdown" in pr_steps
    assert "actions/github-script" in pr_steps and "updateComment" in pr_steps
    apply = jobs["main-apply"]
    assert apply["needs"] == "main-plan"
    assert apply["environment"] == "production"
    apply_steps = "\n".join(str(step) for step in apply["steps"])
    assert "reconciler apply reconciler.plan" in apply_steps
    # The state is in OBS: nothing is committed back, and the bucket's keys reach every step
    # that reads the state.
    assert "git push" not in text and "contents: write" not in text
    for job, kind in (("pr-plan", "READ"), ("main-plan", "READ"), ("main-apply", "WRITE")):
        steps = "\n".join(str(step) for step in jobs[job]["steps"])
        assert f"secrets.STATE_{kind}_SECRET_ACCESS_KEY" in steps, job
    assert workflow["concurrency"]["group"]  # runs on main never overlap


def _pr_plan_script() -> str:
    steps = _workflow()["jobs"]["pr-plan"]["steps"]
    return str(next(step["run"] for step in steps if step.get("id") == "plan"))


@pytest.mark.skipif(shutil.which("bash") is None, reason="the workflow's steps run in bash")
def test_workflow_comment_carries_the_marker_for_a_plan_and_for_errors(tmp_path: Path) -> None:
    project = copy_quickstart(tmp_path)
    assert make_data(project).returncode == 0
    outputs, summary = tmp_path / "outputs", tmp_path / "summary"
    bin_dir = os.path.dirname(sys.executable)  # where `reconciler` is installed
    environ = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("HUAWEICLOUD_", "RECON"))},
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "CONFIG": "examples/quickstart",
        "FORK": "false",
        "LOCK_TIMEOUT": "0",
        "MARKER": MARKER,
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_STEP_SUMMARY": str(summary),
    }

    def step() -> tuple[subprocess.CompletedProcess[str], str]:
        result = run(["bash", "-e", "-c", _pr_plan_script()], tmp_path, environ=environ)
        return result, (tmp_path / "plan.md").read_text(encoding="utf-8")

    planned, comment = step()
    assert planned.returncode == 0, planned.stderr
    assert comment.splitlines()[0] == MARKER
    assert "5 to create" in comment
    assert (tmp_path / "reconciler.plan").is_file()

    with (project / "voices.yaml").open("a", encoding="utf-8") as config:
        config.write("  broken:\n    edition: basic\n")
    failed, comment = step()
    assert failed.returncode == 0  # a later step fails the job, after the comment is posted
    assert comment.splitlines()[:2] == [MARKER, "### reconciler plan failed"]
    assert "missing required field" in comment
    assert outputs.read_text().splitlines() == ["status=0", "status=1"]


def test_pre_commit_hook_runs_validate_once_on_config_and_data_changes() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(hook for hook in hooks if hook["id"] == "reconciler-validate")
    assert hook["entry"] == "reconciler validate"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    assert hook["args"] == ["voices"]  # the GitOps layout; other layouts name theirs
    files = re.compile(hook["files"])
    for name in ("voices/voices.yaml", "voices.yml", "data/a/0.wav", "data/a/0.txt", "d.zip"):
        assert files.search(name), name
    assert files.search("voices/reconciler.lock")
    assert not files.search("reconciler/cli.py") and not files.search("poetry.lock")
