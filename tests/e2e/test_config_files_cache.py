"""A configuration of several files through the CLI: an edit of one file is read from that
file alone, and still makes a plan saved before it stale."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from tests.e2e.conftest import Project

check = importlib.import_module("reconciler.config.check")

MORE = """\
version: 1
voices:
  extra:
    edition: third-party
    voice_name: Extra
    data: {package: data/long.zip}
"""


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    seen: list[Path] = []
    real = check.load_yaml

    def counting(file: Path) -> object:
        seen.append(file)
        return real(file)

    monkeypatch.setattr(check, "load_yaml", counting)
    return seen


def test_a_saved_plan_is_refused_after_an_edit_of_one_file(
    project: Project, parsed: list[Path]
) -> None:
    more = project.root / "more.yaml"
    more.write_text(MORE, encoding="utf-8")
    code, out, err = project.run("plan", "--out", "tfplan")
    assert code == 0 and "6 to create" in out, out + err
    assert sorted(p.name for p in parsed) == ["more.yaml", "voices.yaml"]

    parsed.clear()
    more.write_text(MORE.replace("voice_name: Extra", "voice_name: Extra Two"), encoding="utf-8")
    code, out, err = project.run("apply", "tfplan")
    assert code == 1, out + err
    assert "stale" in err and "configuration or its training data changed" in err
    assert project.jobs() == []
    assert parsed == [more]  # voices.yaml came from its cache entry

    parsed.clear()
    code, out, err = project.run("plan")
    assert code == 0 and "Extra Two" in out, out + err
    assert parsed == []
