"""What a reviewer reads: the data warnings in the comment and the plan JSON, a saved plan
shown again without planning (`reconciler show`), and `apply FILE` finding its configuration
through the plan file."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

from reconciler.cli import main
from reconciler.environment import Environment
from tests.e2e.conftest import Project, lock_held

GITHUB = {
    "GITHUB_SHA": "4f1c2e9a0b7d3c5e8f6a1b2c3d4e5f60718293a4",
    "GITHUB_SERVER_URL": "https://github.com",
    "GITHUB_REPOSITORY": "team/voices",
    "GITHUB_RUN_ID": "42",
}
# The test takes are 3.5 s: the preflight warns about the basic voices' sentences, under 5 s.
SHORT = "shorter than 5 s"
WARNED = {"voice.basic-dir", "voice.basic-seg"}


def run_in(project: Project, cwd: Path, *argv: str) -> tuple[int, str, str]:
    """The CLI run from another directory than the project's."""
    out, err = io.StringIO(), io.StringIO()
    env = Environment(
        stdin=io.StringIO(),
        stdout=out,
        stderr=err,
        environ=project.environ,
        cwd=cwd,
        home=project.root,
    )
    return main(list(argv), env=env), out.getvalue(), err.getvalue()


def test_the_comment_and_the_plan_json_carry_the_data_warnings(project: Project) -> None:
    project.environ.update(GITHUB)
    code, comment, err = project.run("plan", "--format", "markdown")
    assert code == 0 and SHORT in err, comment + err  # the terminal still has them
    assert "> The data checks found:" in comment and SHORT in comment
    assert "> - **voice.basic-dir**: 2 warnings" in comment
    assert "> - **voice.basic-seg**: 2 warnings" in comment
    footer = comment.splitlines()[-1]
    assert f"at commit {GITHUB['GITHUB_SHA']}" in footer
    assert "(https://github.com/team/voices/actions/runs/42)" in footer

    code, out, _ = project.run("plan", "--format", "json")
    assert code == 0 and out.count("\n") == 1  # one line, as terraform-compliance reads it
    document = json.loads(out)
    ours = document["reconciler_diagnostics"]
    assert all(d["severity"] == "warning" for d in ours)
    assert any(SHORT in d["message"] for d in ours)
    assert {d["address"] for d in ours} == WARNED
    assert all(d["file"] == "voices.yaml" and d["line"] > 1 for d in ours)
    assert len(document["diagnostics"]) == len(ours)
    assert document["diagnostics"][0]["range"]["filename"] == "voices.yaml"

    code, pretty, _ = project.run("plan", "--format", "json", "--pretty")
    assert code == 0 and pretty.count("\n") > 100 and json.loads(pretty)["diagnostics"]


def test_show_renders_a_saved_plan_reading_nothing_else(project: Project) -> None:
    code, _, _ = project.run("plan", "--out", "tfplan")
    assert code == 0
    # No configuration, no credentials, the state locked: show needs none of them.
    (project.root / "voices.yaml").rename(project.root / "voices.yaml.away")
    project.environ.pop("HUAWEICLOUD_SDK_SK")
    with lock_held(project.state_path):
        code, text, err = project.run("show", "tfplan")
        assert code == 0 and err == "", text + err
        code, comment, _ = project.run("show", "tfplan", "--format", "markdown")
        assert code == 0
        code, out, _ = project.run("show", "tfplan", "--format", "json")
        assert code == 0
    assert "Plan: 5 to create, 0 to update, 0 to replace, 0 to destroy." in text
    assert "The data checks found:" in text and SHORT in text  # kept in the file
    assert comment.startswith("<!-- reconciler-plan -->") and SHORT in comment
    document = json.loads(out)
    assert {c["address"] for c in document["resource_changes"]} == {
        "voice.adv-pkg",
        "voice.basic-dir",
        "voice.basic-seg",
        "voice.premium",
        "voice.third",
    }
    assert document["reconciler_diagnostics"] and document["terraform_version"] == "1.9.0"


def test_show_refuses_a_damaged_plan_file_in_one_line(project: Project) -> None:
    assert project.run("plan", "--out", "tfplan")[0] == 0
    text = (project.root / "tfplan").read_text()
    (project.root / "tfplan").write_text(text[: len(text) // 2])
    code, out, err = project.run("show", "tfplan")
    assert code == 1 and out == "", out + err
    assert err.startswith("Error: plan file ") and "not valid JSON" in err
    assert "Traceback" not in err and err.count("\n") <= 2  # the line and its hint
    code, _, err = project.run("show", "missing-plan")
    assert code == 1 and "does not exist" in err


def test_apply_finds_the_configuration_the_plan_was_made_from(project: Project) -> None:
    """The plan file records the configuration relative to itself: applied from another
    directory, without --config, it still applies that configuration."""
    (project.root / "plans").mkdir()
    code, out, err = project.run("plan", "--out", "plans/tfplan", "--target", "voice.premium")
    assert code == 0, out + err
    outside = project.root.parent  # no configuration here
    code, out, err = run_in(project, outside, "apply", "project/plans/tfplan")
    assert code == 0, out + err
    assert [j["voice_name"] for j in project.jobs()] == ["Premium"]


def test_a_moved_plan_file_says_so_and_an_explicit_config_still_wins(project: Project) -> None:
    (project.root / "plans").mkdir()
    assert project.run("plan", "--out", "plans/tfplan", "--target", "voice.premium")[0] == 0
    elsewhere = project.root.parent / "elsewhere" / "deeper"
    elsewhere.mkdir(parents=True)
    shutil.copy(project.root / "plans" / "tfplan", elsewhere / "tfplan")
    code, out, err = project.run("apply", str(elsewhere / "tfplan"))
    assert code == 1 and "was the plan file moved?" in err and "--config" in err, out + err
    assert project.jobs() == []
    code, out, err = project.run("apply", str(elsewhere / "tfplan"), "--config", ".")
    assert code == 0, out + err
    assert [j["voice_name"] for j in project.jobs()] == ["Premium"]
