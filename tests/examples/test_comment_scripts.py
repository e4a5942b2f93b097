"""The workflow's comment scripts, run by node as actions/github-script runs them: an async
function of `github`, `context`, `core` and `require`. A stand-in `github` answers from the
pull requests and comments each test gives it and records every call, so the marker-and-edit
rule (one comment of ours per pull request, edited in place, a person's never touched) is
checked on the code the workflow runs.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.examples.test_workflows import GITOPS_WORKFLOWS

PIPELINE = GITOPS_WORKFLOWS / "reconciler.yml"
PLAN_MARKER = "<!-- reconciler-plan -->"
APPLY_MARKER = "<!-- reconciler-apply -->"
COMMIT = "0123456789abcdef0123456789abcdef01234567"
BOT = "github-actions[bot]"

# What github-script hands the script, faked where it would call GitHub.
HARNESS = """
const fs = require('fs');
const world = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const calls = [];
const github = {
  paginate: async (method, params) => (await method(params)).data,
  rest: {
    issues: {
      listComments: async ({ issue_number }) =>
        ({ data: world.comments[String(issue_number)] || [] }),
      updateComment: async (params) => { calls.push(['updateComment', params]); },
      createComment: async (params) => { calls.push(['createComment', params]); },
    },
    repos: {
      listPullRequestsAssociatedWithCommit: async (params) => {
        calls.push(['listPullRequestsAssociatedWithCommit', params]);
        return { data: world.pulls };
      },
    },
  },
};
const context = { repo: { owner: 'team', repo: 'voices' }, issue: { number: world.issue } };
const core = { notice: (message) => calls.push(['notice', message]) };
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor;
const script = fs.readFileSync(process.argv[3], 'utf8');
new AsyncFunction('github', 'context', 'core', 'require', script)(github, context, core, require)
  .then(() => console.log(JSON.stringify(calls)))
  .catch((error) => { console.error(error); process.exit(1); });
"""


def _node() -> str:
    found = shutil.which("node")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("node is not installed (.ci/run installs Debian's nodejs)")
        pytest.skip("node is not installed (.ci/run installs Debian's nodejs)")
    return found


def _script(job: str, uses: str) -> dict[str, Any]:
    document = yaml.safe_load(PIPELINE.read_text(encoding="utf-8"))
    steps = document["jobs"][job]["steps"]
    return dict(next(s for s in steps if str(s.get("uses", "")).startswith(uses)))


def _run(
    tmp_path: Path, step: dict[str, Any], world: dict[str, Any], **env: str
) -> list[list[Any]]:
    (tmp_path / "harness.js").write_text(HARNESS, encoding="utf-8")
    (tmp_path / "world.json").write_text(json.dumps(world), encoding="utf-8")
    (tmp_path / "script.js").write_text(step["with"]["script"], encoding="utf-8")
    result = subprocess.run(
        [_node(), "harness.js", "world.json", "script.js"],
        cwd=tmp_path,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    calls: list[list[Any]] = json.loads(result.stdout)
    return calls


def _comment(id_: int, login: str, body: str) -> dict[str, Any]:
    return {"id": id_, "user": {"login": login}, "body": body}


def _pull(number: int, *, merged: bool, base: str = "main") -> dict[str, Any]:
    merged_at = "2026-12-06T02:00:00Z" if merged else None
    return {"number": number, "merged_at": merged_at, "base": {"ref": base}}


def _apply(tmp_path: Path, world: dict[str, Any]) -> list[list[Any]]:
    body = f"{APPLY_MARKER}\n### reconciler apply succeeded\n"
    (tmp_path / "apply.md").write_text(body, encoding="utf-8")
    step = _script("main-apply", "actions/github-script@")
    return _run(tmp_path, step, world, APPLY_MARKER=APPLY_MARKER, COMMIT=COMMIT)


def test_the_apply_result_goes_to_the_merged_pull_request_once(tmp_path: Path) -> None:
    world = {"pulls": [_pull(7, merged=True), _pull(9, merged=False)], "comments": {}}
    calls = _apply(tmp_path, world)
    assert calls[0] == [
        "listPullRequestsAssociatedWithCommit",
        {"owner": "team", "repo": "voices", "commit_sha": COMMIT},
    ]
    assert calls[1:] == [
        [
            "createComment",
            {
                "owner": "team",
                "repo": "voices",
                "issue_number": 7,
                "body": f"{APPLY_MARKER}\n### reconciler apply succeeded\n",
            },
        ]
    ]


def test_a_rerun_edits_our_apply_comment_and_no_one_elses(tmp_path: Path) -> None:
    quoting = _comment(1, "alice", f"{APPLY_MARKER}\nquoting the bot")
    plan = _comment(2, BOT, f"{PLAN_MARKER}\nthe plan")
    ours = _comment(3, BOT, f"{APPLY_MARKER}\n### reconciler apply failed")
    world = {"pulls": [_pull(7, merged=True)], "comments": {"7": [quoting, plan, ours]}}
    calls = _apply(tmp_path, world)
    assert [call[0] for call in calls[1:]] == ["updateComment"]
    assert calls[1][1]["comment_id"] == 3
    assert calls[1][1]["body"].startswith(f"{APPLY_MARKER}\n### reconciler apply succeeded")


def test_without_a_merged_pull_request_the_result_stays_in_the_summary(tmp_path: Path) -> None:
    world = {"pulls": [_pull(9, merged=False), _pull(8, merged=True, base="release")]}
    calls = _apply(tmp_path, {**world, "comments": {}})
    assert [call[0] for call in calls] == ["listPullRequestsAssociatedWithCommit", "notice"]


def test_the_plan_comment_follows_the_same_rule(tmp_path: Path) -> None:
    (tmp_path / "plan.md").write_text("Plan: 1 to create\n", encoding="utf-8")
    step = _script("pr-plan", "actions/github-script@")
    quoting = _comment(1, "alice", f"{PLAN_MARKER}\nold plan, quoted")

    calls = _run(tmp_path, step, {"issue": 5, "comments": {"5": [quoting]}}, MARKER=PLAN_MARKER)
    assert [call[0] for call in calls] == ["createComment"]
    assert calls[0][1]["issue_number"] == 5
    assert calls[0][1]["body"] == f"{PLAN_MARKER}\nPlan: 1 to create\n"  # the marker added

    ours = _comment(4, BOT, f"{PLAN_MARKER}\nan older plan")
    world = {"issue": 5, "comments": {"5": [quoting, ours]}}
    calls = _run(tmp_path, step, world, MARKER=PLAN_MARKER)
    assert [(call[0], call[1]["comment_id"]) for call in calls] == [("updateComment", 4)]
