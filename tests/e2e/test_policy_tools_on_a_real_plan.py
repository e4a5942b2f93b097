"""checkov and terraform-compliance on what `reconciler plan --format json` writes for a real
configuration (tests/policy runs them on rendered fixture plans): the same policies fail its
unguarded voices by address and pass once the configuration guards them."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.e2e.conftest import FIVE_VOICES, Project
from tests.policy.test_policy_tools import CHECK_ID, HERE, tool

ADDRESSES = {"voice.adv-pkg", "voice.basic-dir", "voice.basic-seg", "voice.premium", "voice.third"}


def planned_json(project: Project) -> Path:
    code, out, err = project.run("plan", "--format", "json")
    assert code == 0, out + err
    path = project.root / "plan.json"
    path.write_text(out, encoding="utf-8")
    return path


def checkov_results(path: Path) -> dict[str, set[str]]:
    done = subprocess.run(
        [
            tool("RECONCILER_CHECKOV", "checkov"),
            *("-f", str(path), "--framework", "terraform_plan", "--skip-download"),
            *("--external-checks-dir", str(HERE / "checkov"), "--check", CHECK_ID),
            *("--output", "json", "--compact"),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE", "CKV_SKIP_PACKAGE_UPDATE_CHECK": "TRUE"},
        cwd=path.parent,
        timeout=600,
        check=False,
    )
    assert done.returncode in (0, 1), done.stdout + done.stderr
    results = json.loads(done.stdout)["results"]
    return {
        kind: {c["resource"] for c in results.get(kind, [])}
        for kind in ("passed_checks", "failed_checks")
    }


def compliance_output(path: Path) -> tuple[int, str]:
    done = subprocess.run(
        [
            tool("RECONCILER_TERRAFORM_COMPLIANCE", "terraform-compliance"),
            *("--no-ansi", "-p", str(path), "-f", str(HERE / "compliance")),
        ],
        capture_output=True,
        text=True,
        cwd=path.parent,
        timeout=600,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


def test_the_policy_tools_fail_unguarded_voices_of_a_real_plan(project: Project) -> None:
    path = planned_json(project)
    assert checkov_results(path) == {"passed_checks": set(), "failed_checks": ADDRESSES}
    code, output = compliance_output(path)
    assert code != 0 and "1 scenarios (0 passed, 1 failed)" in output, output


def test_the_policy_tools_pass_a_real_plan_whose_voices_are_guarded(project: Project) -> None:
    head, voices = FIVE_VOICES.split("voices:\n", 1)
    project.write_config(f"{head}  lifecycle: {{{{prevent_destroy: true}}}}\nvoices:\n{voices}")
    path = planned_json(project)
    assert checkov_results(path) == {"passed_checks": ADDRESSES, "failed_checks": set()}
    code, output = compliance_output(path)
    assert code == 0 and "1 scenarios (1 passed)" in output, output
