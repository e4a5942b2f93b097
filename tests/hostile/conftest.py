"""A project on the embedded emulator (no network beyond loopback, no credentials), the CLI run
in-process with streams that encode like a real terminal's, and checks every run must pass."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from reconciler.cli import main
from reconciler.emulator.tenant import EDITIONS
from reconciler.environment import Environment
from reconciler.speechlike import write_steady_pairs

SHORT_TAKES_TENANT = {"durations": {f"{edition}_min": 0 for edition in EDITIONS}}

CONFIG = """\
version: 1
provider: {emulator: .emulator}
defaults:
  sex: FEMALE
  language: CN
  checks: {min_total_seconds: 1, advised_total_seconds: 1}  # short test takes
voices:
  a:
    edition: basic
    voice_name: Voice A
    data: {dir: data}
  b:
    edition: basic
    voice_name: Voice B
    data: {dir: data}
    preview: {text: Hello there.}
"""

# What the README documents (0, 1, 2 for plan --detailed-exitcode, 130 interrupted).
EXIT_CODES = {0, 1, 2, 130}


@dataclass
class Run:
    code: int
    out: str
    err: str


@dataclass
class Project:
    root: Path
    environ: dict[str, str]

    @property
    def state_path(self) -> Path:
        return self.root / "reconciler.state.json"

    def state(self) -> dict[str, Any]:
        return dict(json.loads(self.state_path.read_text(encoding="utf-8")))

    def run(self, *argv: str, cwd: Path | None = None) -> Run:
        # A real stdout is strict UTF-8 and a real stderr escapes what it cannot encode, so a
        # surrogate that reaches stdout fails here as it would for a user.
        out, err = io.BytesIO(), io.BytesIO()
        stdout = io.TextIOWrapper(out, encoding="utf-8", errors="strict", newline="")
        stderr = io.TextIOWrapper(err, encoding="utf-8", errors="backslashreplace", newline="")
        env = Environment(
            stdin=io.StringIO(""),
            stdout=stdout,
            stderr=stderr,
            environ=self.environ,
            cwd=cwd or self.root,
            home=self.root,
        )
        code = main(list(argv), env=env)
        stdout.flush()
        stderr.flush()
        return Run(code, out.getvalue().decode("utf-8"), err.getvalue().decode("utf-8"))


def assert_clean_error(run: Run, *fragments: str) -> None:
    """Exit 1 and a short error naming what is wrong: no fallback, no traceback."""
    assert run.code == 1, run
    assert "unexpected" not in run.err and "Traceback" not in run.err, run.err
    lines = [line for line in run.err.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, run.err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def make_project(root: Path, cache: Path) -> Project:
    root.mkdir(parents=True, exist_ok=True)
    # Long enough for the preflight's speech and pace checks; the tenant allows short totals.
    write_steady_pairs(root / "data", 20, 3.5)
    (root / ".emulator").mkdir()
    (root / ".emulator" / "tenant.json").write_text(json.dumps(SHORT_TAKES_TENANT))
    (root / "voices.yaml").write_text(CONFIG, encoding="utf-8")
    return Project(root, {"RECONCILER_CACHE_DIR": str(cache)})


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return make_project(tmp_path / "project", tmp_path / "cache")


@pytest.fixture
def applied(project: Project) -> Project:
    """voice.a and voice.b created and submitted on the embedded emulator."""
    run = project.run("apply", "--auto-approve")
    assert run.code == 0, run.err
    return project
