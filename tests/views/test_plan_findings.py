"""The data checks' findings in every rendering a reviewer reads, and the comment's origin."""

from __future__ import annotations

import dataclasses
import json

from reconciler.plan.findings import Finding
from reconciler.plan.model import Plan
from reconciler.views.plan_json import render_json
from reconciler.views.plan_markdown import render_markdown
from reconciler.views.plan_text import render_text
from reconciler.views.provenance import Provenance
from tests.plan import fixtures as fx

SHORT = Finding(
    "warning", "voices.yaml", 7, 17, "voices.gentle.data.dir", "3.wav (4.0 s): shorter than 5 s"
)
THIN = Finding(
    "warning", "voices.yaml", 12, 9, "voices.calm.data.package", "total 40 s: thin for basic"
)
WHOLE_FILE = Finding("warning", "voices.yaml", None, None, "", "no voices use the default")
GITHUB = {
    "GITHUB_SHA": "4f1c2e9a0b7d3c5e8f6a1b2c3d4e5f60718293a4",
    "GITHUB_SERVER_URL": "https://github.com",
    "GITHUB_REPOSITORY": "team/voices",
    "GITHUB_RUN_ID": "9876543210",
}
RUN_URL = "https://github.com/team/voices/actions/runs/9876543210"


def with_findings(plan: Plan, *findings: Finding) -> Plan:
    return dataclasses.replace(plan, findings=findings)


def test_the_json_lists_the_findings_ours_and_in_terraforms_shape() -> None:
    document = json.loads(render_json(with_findings(fx.every_action_plan(), SHORT, WHOLE_FILE)))
    assert document["reconciler_diagnostics"] == [
        {
            "severity": "warning",
            "address": "voice.gentle",
            "file": "voices.yaml",
            "line": 7,
            "column": 17,
            "path": "voices.gentle.data.dir",
            "message": "3.wav (4.0 s): shorter than 5 s",
        },
        {
            "severity": "warning",
            "address": None,
            "file": "voices.yaml",
            "line": None,
            "column": None,
            "path": "",
            "message": "no voices use the default",
        },
    ]
    short, whole = document["diagnostics"]
    assert short == {
        "severity": "warning",
        "summary": "3.wav (4.0 s): shorter than 5 s",
        "detail": "voices.gentle.data.dir",
        "address": "voice.gentle",
        "range": {
            "filename": "voices.yaml",
            "start": {"line": 7, "column": 17},
            "end": {"line": 7, "column": 17},
        },
    }
    assert "range" not in whole and whole["reconciler_file"] == "voices.yaml"


def test_the_comment_shows_the_findings_by_voice() -> None:
    comment = render_markdown(with_findings(fx.every_action_plan(), THIN, SHORT, WHOLE_FILE))
    section = comment.split("> [!WARNING]\n> The data checks found:", 1)[1].split("\n\n")[0]
    assert section.startswith(" 3 warnings, by voice.")
    lines = section.splitlines()
    calm = lines.index("> - **voice.calm**: 1 warning")
    gentle = lines.index("> - **voice.gentle**: 1 warning")
    assert calm < gentle  # voices in name order, whatever order they were found in
    assert "> - **(not one voice's)**: 1 warning" in lines
    assert (
        "voices.yaml:7:17: voices.gentle.data.dir: 3.wav (4.0 s): shorter than 5 s"
        in (lines[gentle + 1])
    )
    # Before the tables: a reviewer reads it before the changes.
    assert comment.index("The data checks found") < comment.index("#### Changes")


def test_a_comment_without_findings_has_no_section() -> None:
    assert "data checks" not in render_markdown(fx.every_action_plan())
    assert "data checks" not in render_text(fx.every_action_plan())


def test_many_findings_are_cut_per_voice_so_the_comment_fits() -> None:
    many = [
        Finding("warning", "voices.yaml", i, 5, f"voices.v{i % 40}.data.dir", f"{i}.wav: short")
        for i in range(4000)
    ]
    comment = render_markdown(with_findings(fx.every_action_plan(), *many), max_chars=65000)
    assert len(comment) <= 65000
    assert "The data checks found: 4000 warnings, by voice." in comment
    assert "> - **voice.v7**: 100 warnings" in comment
    assert comment.count("more in the CI log") == 40
    # The destroy warning is never given up for the findings.
    assert "This plan deletes the training jobs of 5 voices" in comment


def test_the_text_plan_lists_the_findings_by_voice() -> None:
    text = render_text(with_findings(fx.no_changes_plan(), SHORT, THIN))
    assert "The data checks found: 2 warnings." in text
    block = text.split("The data checks found: 2 warnings.\n", 1)[1]
    assert block.startswith(
        "  # voice.calm\n  #   warning: voices.yaml:12:9: voices.calm.data.package: total 40 s"
    )


def test_the_comment_names_the_commit_and_links_the_run() -> None:
    comment = render_markdown(
        fx.every_action_plan(), provenance=Provenance.from_environment(GITHUB)
    )
    footer = comment.splitlines()[-1]
    assert footer.startswith(
        f"<sub>Planned at commit {GITHUB['GITHUB_SHA']} by [run 9876543210]({RUN_URL})."
    )
    assert "State serial 7" in footer


def test_without_github_variables_the_comment_names_no_commit() -> None:
    comment = render_markdown(fx.every_action_plan(), provenance=Provenance.from_environment({}))
    assert comment == render_markdown(fx.every_action_plan())
    assert "Planned" not in comment and "actions/runs" not in comment


def test_values_unlike_githubs_are_not_linked() -> None:
    hostile = {
        **GITHUB,
        "GITHUB_SHA": "not a sha)",
        "GITHUB_SERVER_URL": "javascript:alert(1)",
    }
    origin = Provenance.from_environment(hostile)
    assert origin == Provenance()
    partial = Provenance.from_environment({**GITHUB, "GITHUB_RUN_ID": ""})
    assert partial.markdown() == f"Planned at commit {GITHUB['GITHUB_SHA']}."
