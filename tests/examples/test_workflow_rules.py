"""What the GitOps workflows promise, read from their YAML: no job runs GitHub's 6-hour
default, write credentials never leave the `production` environment, applies never queue on
the state lock, plan jobs download no training data, and the apply result reaches the pull
request that asked for it. The steps' code is run for real elsewhere: the shell against the
emulator (tests/e2e/test_apply_workflow.py, tests/e2e/test_drift_workflow.py), the comment
scripts with node (tests/examples/test_comment_scripts.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.examples.test_workflows import GITOPS_WORKFLOWS, WORKFLOWS

PIPELINE = GITOPS_WORKFLOWS / "reconciler.yml"
DRIFT = GITOPS_WORKFLOWS / "reconciler-drift.yml"
# The variables through which reconciler (and boto3, for the state) read credentials.
CREDENTIALS = (
    "HUAWEICLOUD_SDK_AK",
    "HUAWEICLOUD_SDK_SK",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
)
SECRET = re.compile(r"^\$\{\{\s*secrets\.([A-Za-z0-9_]+)\s*\}\}$")
ANY_SECRET = re.compile(r"secrets\.([A-Za-z0-9_]+)")


def _document(path: Path) -> dict[Any, Any]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def _jobs(path: Path) -> dict[str, dict[str, Any]]:
    return dict(_document(path)["jobs"])


def _all_jobs() -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path in WORKFLOWS:
        for name, job in _jobs(path).items():
            yield path.name, name, job


def _environment(job: dict[str, Any]) -> str | None:
    environment = job.get("environment")
    if isinstance(environment, dict):
        return str(environment.get("name"))
    return None if environment is None else str(environment)


def _runs(job: dict[str, Any]) -> str:
    return "\n".join(str(step["run"]) for step in job.get("steps", []) if "run" in step)


def _uses(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in job.get("steps", []) if str(s.get("uses", "")).startswith(action + "@")]


def _plans(job: dict[str, Any]) -> bool:
    return "reconciler plan" in _runs(job)


def _applies(job: dict[str, Any]) -> bool:
    return re.search(r"reconciler (apply|destroy)", _runs(job)) is not None


def test_every_job_has_a_timeout() -> None:
    # Without one a hung run holds the state lock (and a runner) for GitHub's 6 hours.
    missing = [f"{file} {name}" for file, name, job in _all_jobs() if "timeout-minutes" not in job]
    assert missing == []
    for _, _, job in _all_jobs():
        assert 0 < int(job["timeout-minutes"]) <= 180


def test_the_lock_timeout_is_shorter_than_the_jobs() -> None:
    for path in (PIPELINE, DRIFT):
        wait = int(_document(path)["env"]["LOCK_TIMEOUT"])
        for job in _jobs(path).values():
            if _plans(job) or _applies(job):
                assert wait < int(job["timeout-minutes"]) * 60 / 2, path.name


def test_no_workflow_runs_a_forks_code_with_secrets() -> None:
    for path in WORKFLOWS:
        document = _document(path)
        triggers = document.get("on", document.get(True))  # YAML 1.1 reads `on` as true
        names = set(triggers) if isinstance(triggers, dict) else {str(triggers)}
        assert "pull_request_target" not in names, path.name
        assert "workflow_run" not in names, path.name


def test_credentials_are_read_only_outside_production() -> None:
    seen = set()
    for file, name, job in _all_jobs():
        production = _environment(job) == "production"
        for step in job.get("steps", []):
            for variable, value in (step.get("env") or {}).items():
                if variable not in CREDENTIALS:
                    continue
                match = SECRET.match(str(value))
                assert match, f"{file} {name}: {variable} is not a secret"
                kind = "WRITE" if production else "READ"
                assert f"_{kind}_" in match.group(1), f"{file} {name}: {variable}={value}"
                seen.add((kind, variable))
        # And no write secret reaches any other place of a job outside production.
        if not production:
            written = [s for s in ANY_SECRET.findall(yaml.safe_dump(job)) if "WRITE" in s]
            assert written == [], f"{file} {name}"
    # Both sets are used, for MetaStudio and for the state bucket.
    assert seen == {(kind, v) for kind in ("READ", "WRITE") for v in CREDENTIALS}


def test_only_production_jobs_change_anything() -> None:
    for file, name, job in _all_jobs():
        if _applies(job):
            assert _environment(job) == "production", f"{file} {name}"


def test_applies_never_queue_on_the_lock() -> None:
    applying = [(name, job) for _, name, job in _all_jobs() if _applies(job)]
    assert [name for name, _ in applying] == ["main-apply"]
    for _, job in applying:
        # One group across every trigger, never cancelled: a second apply waits for the
        # first before it starts, instead of inside it, on the state lock.
        assert job["concurrency"]["group"] == "reconciler-apply"
        assert job["concurrency"]["cancel-in-progress"] is False
        assert '--lock-timeout "$LOCK_TIMEOUT"' in _runs(job)


def test_every_plan_waits_for_the_lock() -> None:
    plans = 0
    for file, name, job in _all_jobs():
        for line in _runs(job).replace("\\\n", " ").splitlines():
            if re.match(r"\s*reconciler plan ", line):  # the command, not a message
                assert '--lock-timeout "$LOCK_TIMEOUT"' in line, f"{file} {name}: {line}"
                plans += 1
    assert plans == 4  # pull request, main, and the drift check's stream and markdown


def test_no_job_downloads_training_data_at_checkout() -> None:
    checkouts = 0
    for file, name, job in _all_jobs():
        for step in _uses(job, "actions/checkout"):
            # Plans read the Git LFS pointers and the lock file; apply fetches what it
            # uploads itself (`git lfs pull --include`), and needs checkout's credentials.
            assert (step.get("with") or {}).get("lfs") is False, f"{file} {name}"
            assert (step.get("with") or {}).get("persist-credentials", True) is True
            checkouts += 1
        assert "git lfs pull" not in _runs(job), f"{file} {name}"
    assert checkouts == 4


def test_plans_reuse_the_cache_keyed_on_the_lock_file_and_the_yaml() -> None:
    for file, name, job in _all_jobs():
        if not (_plans(job) or _applies(job)):
            continue
        steps = job["steps"]
        caches = [
            index
            for index, step in enumerate(steps)
            if str(step.get("uses", "")).startswith(("actions/cache@", "actions/cache/restore@"))
        ]
        assert len(caches) == 1, f"{file} {name}"
        first_run = next(i for i, step in enumerate(steps) if "reconciler" in str(step.get("run")))
        assert caches[0] < first_run
        settings = steps[caches[0]]["with"]
        assert settings["path"] == "${{ env.CONFIG }}/.reconciler/cache"
        assert "reconciler.lock" in settings["key"] and "*.yaml" in settings["key"]
        assert "hashFiles(" in settings["key"]
        assert settings["key"].startswith(settings["restore-keys"])
        # The job that holds the write credentials reads the cache but never writes it.
        if _applies(job):
            assert steps[caches[0]]["uses"].startswith("actions/cache/restore@")


def test_the_apply_result_is_posted_to_the_merged_pull_request() -> None:
    job = _jobs(PIPELINE)["main-apply"]
    assert job["permissions"] == {"contents": "read", "pull-requests": "write"}
    steps = job["steps"]
    apply_index = next(i for i, s in enumerate(steps) if s.get("id") == "apply")
    post = steps[apply_index + 1]
    assert post["uses"].startswith("actions/github-script@")
    # Also after a failed apply; the job fails in a later step.
    assert "!cancelled()" in post["if"] and "steps.apply.outputs.status" in post["if"]
    script = post["with"]["script"]
    assert "listPullRequestsAssociatedWithCommit" in script
    assert "process.env.APPLY_MARKER" in script
    # The plan comment's rule: our own comment, found by its marker, edited in place.
    for needed in ("github-actions[bot]", "updateComment", "createComment"):
        assert needed in script
    assert post["env"]["COMMIT"] == "${{ needs.main-plan.outputs.commit }}"
    assert _document(PIPELINE)["env"]["APPLY_MARKER"] == "<!-- reconciler-apply -->"
    last = steps[-1]
    assert last["if"] == "steps.apply.outputs.status != '0'" and last["run"] == "exit 1"


@pytest.mark.parametrize("path", [PIPELINE, DRIFT], ids=lambda p: p.name)
def test_the_install_line_names_our_distribution(path: Path) -> None:
    package = _document(path)["env"]["RECONCILER_PACKAGE"]
    # The S3 state backend, and the audio extra's speech models for the data checks.
    assert package.startswith("metastudio-reconciler[s3,audio] @ ")


def test_a_skipped_drift_check_leaves_the_issue_alone() -> None:
    steps = {step.get("name"): step for step in _jobs(DRIFT)["drift"]["steps"]}
    issue = steps["Open, update or close the drift issue"]
    assert issue["if"] == "steps.plan.outputs.drift != 'skipped'"
