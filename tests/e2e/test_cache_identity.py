"""A plan trusts no cache about a file rewritten in place with its mtime set back, and a
warm plan still reads nothing: through the CLI, against the emulator."""

from __future__ import annotations

import importlib
import io
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from reconciler.cli import main
from reconciler.data import DigestCache
from reconciler.environment import Environment
from reconciler.speechlike import sentence_wav
from tests.clocks import a_minute_later, rewrite_in_place
from tests.e2e.conftest import SECONDS, Project

check = importlib.import_module("reconciler.config.check")
content = importlib.import_module("reconciler.data.content")


def run_later(project: Project, *argv: str) -> tuple[int, str, str]:
    """The CLI as a user runs it: a while after the data was written (the caches do not
    record files changed just before a run)."""
    out, err = io.StringIO(), io.StringIO()
    env = Environment(
        stdin=io.StringIO(),
        stdout=out,
        stderr=err,
        environ=project.environ,
        cwd=project.root,
        clock=a_minute_later,
        home=project.root,
    )
    return main(list(argv), env=env), out.getvalue(), err.getvalue()


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """What a run reads again: data hashed, recordings measured, YAML parsed."""
    seen: Counter[str] = Counter()

    def counting(kind: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any) -> Any:
            seen[kind] += 1
            return real(*args)

        return call

    monkeypatch.setattr(DigestCache, "_hash", counting("hashed", DigestCache._hash))
    monkeypatch.setattr(content, "analyse", counting("measured", content.analyse))
    monkeypatch.setattr(check, "load_yaml", counting("parsed", check.load_yaml))
    return seen


def test_rewritten_data_and_config_are_seen_and_a_warm_plan_reads_nothing(
    project: Project, reads: Counter[str]
) -> None:
    code, out, err = run_later(project, "apply", "--auto-approve")
    assert code == 0 and "5 created" in out, out + err

    reads.clear()
    code, out, err = run_later(project, "plan", "--detailed-exitcode")
    assert code == 0 and "No changes." in out, out + err
    assert reads == Counter(), "a warm plan read data or config again"

    # A take of the same length, written over the old one, its mtime set back (cp -p).
    take = project.root / "data" / "basic" / "3.wav"
    rewrite_in_place(take, sentence_wav(SECONDS, seed=11))
    code, out, err = run_later(project, "plan", "--detailed-exitcode")
    assert code == 2, out + err
    assert "0 to update, 2 to replace" in out  # both voices on data/basic
    assert reads == Counter(hashed=1, measured=1)

    reads.clear()
    config = project.root / "voices.yaml"
    text = config.read_text(encoding="utf-8")
    rewrite_in_place(config, text.replace("voice_name: Premium", "voice_name: Premiun").encode())
    code, out, err = run_later(project, "plan", "--detailed-exitcode")
    assert code == 2 and "Premiun" in out, out + err
    assert reads == Counter(parsed=1)  # the new take was recorded by the plan before
