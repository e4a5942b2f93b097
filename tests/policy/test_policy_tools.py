"""Policy tools written for Terraform plans read our plan JSON: checkov's `terraform_plan`
framework and terraform-compliance, each with a policy on `metastudio_voice` that must pass
on a plan that follows it and fail on one that does not (a file a tool cannot read would
report nothing, which a pass alone cannot tell from reading it).

The tools are found through RECONCILER_CHECKOV / RECONCILER_TERRAFORM_COMPLIANCE (paths) or
PATH; `.ci/run` installs each into its own virtual environment (they pin many packages).
Without one, its tests skip saying so, except in CI (CI=true), where a missing tool fails.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from reconciler.plan.model import Plan
from reconciler.views.plan_json import render_json
from tests.plan import fixtures as fx

HERE = Path(__file__).parent
CHECK_ID = "CKV2_RECONCILER_1"


def tool(variable: str, command: str) -> str:
    found = os.environ.get(variable) or shutil.which(command)
    if found and Path(found).is_file():
        return found
    reason = f"{command} not installed (set {variable} or put it on PATH; .ci/run installs it)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}: CI must run this test")
    pytest.skip(reason)


def guarded(change: Any) -> Any:
    """The change with prevent_destroy set in the configuration (and so after the plan)."""
    return dataclasses.replace(change, after={**change.after, "prevent_destroy": True})


def good_plan() -> Plan:
    """Every voice that exists after it guards its model; the one destroyed need not."""
    return fx.plan(
        fx.created("anchor", prevent_destroy=True),
        guarded(fx.steady("news")),
        guarded(fx.replaced("calm", voice_name="Calm voice")),
        fx.removed("old"),
    )


def bad_plan() -> Plan:
    return fx.plan(fx.created("anchor", prevent_destroy=True), fx.created("chatty"))


def write(plan: Plan, folder: Path) -> Path:
    path = folder / "plan.json"
    path.write_text(render_json(plan), encoding="utf-8")
    return path


def checkov(plan: Plan, tmp_path: Path) -> dict[str, Any]:
    """checkov's report for the custom check, offline."""
    env = {
        **os.environ,
        "BC_SKIP_MAPPING": "TRUE",
        "CKV_SKIP_PACKAGE_UPDATE_CHECK": "TRUE",
        "LOG_LEVEL": "WARNING",
    }
    done = subprocess.run(
        [
            tool("RECONCILER_CHECKOV", "checkov"),
            "-f",
            str(write(plan, tmp_path)),
            "--framework",
            "terraform_plan",
            "--skip-download",
            "--external-checks-dir",
            str(HERE / "checkov"),
            "--check",
            CHECK_ID,
            "--output",
            "json",
            "--compact",  # --quiet would leave out the passed checks this test counts
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=600,
        check=False,
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr  # 1: a check failed
    report = json.loads(done.stdout)
    reports = report if isinstance(report, list) else [report]
    (plan_report,) = [r for r in reports if r.get("check_type") == "terraform_plan"]
    return dict(plan_report["results"])


def resources(checks: list[dict[str, Any]]) -> set[str]:
    return {c["resource"] for c in checks if c["check_id"] == CHECK_ID}


def test_checkov_passes_a_plan_whose_voices_are_guarded(tmp_path: Path) -> None:
    results = checkov(good_plan(), tmp_path)
    assert results.get("failed_checks", []) == []
    passed = resources(results["passed_checks"])
    # The destroyed voice is not in planned_values: nothing of it is left to guard.
    assert passed == {"voice.anchor", "voice.news", "voice.calm"}


def test_checkov_fails_a_voice_without_prevent_destroy(tmp_path: Path) -> None:
    results = checkov(bad_plan(), tmp_path)
    assert resources(results["failed_checks"]) == {"voice.chatty"}
    assert resources(results["passed_checks"]) == {"voice.anchor"}


def compliance(plan: Plan, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            tool("RECONCILER_TERRAFORM_COMPLIANCE", "terraform-compliance"),
            "--no-ansi",
            "-p",
            str(write(plan, tmp_path)),
            "-f",
            str(HERE / "compliance"),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=600,
        check=False,
    )


def test_terraform_compliance_passes_a_plan_whose_voices_are_guarded(tmp_path: Path) -> None:
    done = compliance(good_plan(), tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    # Run, not skipped: a file it could not read would skip the scenario (no resources).
    assert "1 scenarios (1 passed)" in done.stdout, done.stdout


def test_terraform_compliance_fails_a_voice_without_prevent_destroy(tmp_path: Path) -> None:
    done = compliance(bad_plan(), tmp_path)
    assert done.returncode != 0, done.stdout + done.stderr
    assert "1 scenarios (0 passed, 1 failed)" in done.stdout, done.stdout
    assert "prevent_destroy property in voice.chatty resource" in done.stdout
