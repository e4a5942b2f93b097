"""Without the audio extra, plan (not only validate) says which checks did not run and how to
get them, and still plans: clean data is never blocked by a check that could not run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.data.test_speech_models import HIDE, REPO
from tests.e2e.conftest import Project


def _plan(project: Project, *, hide: bool) -> subprocess.CompletedProcess[str]:
    code = (
        HIDE
        if hide
        else "import sys; from reconciler.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    env = {
        **project.environ,
        "PYTHONPATH": str(REPO),
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(project.root),
    }
    return subprocess.run(
        [sys.executable, "-c", code, "plan", "--no-color"],
        cwd=project.root,
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )


def test_plan_without_the_audio_extra_names_the_checks_not_run(
    project: Project, tmp_path: Path
) -> None:
    hidden = _plan(project, hide=True)
    assert hidden.returncode == 0, hidden.stderr
    said = hidden.stdout + hidden.stderr
    # On stderr, one per voice of the five at its data line (the plan text repeats them).
    lines = [line for line in hidden.stderr.splitlines() if "checks not run" in line]
    assert len(lines) == 5, said
    assert all(line.startswith("warning: voices.yaml:") for line in lines), lines
    assert all("voice activity, DNSMOS, pitch" in line for line in lines), lines
    assert all("pip install 'metastudio-reconciler[audio]'" in line for line in lines), lines
    assert "Plan: 5 to create" in said  # the plan itself was made
    # With the models installed, the same plan says nothing of the kind.
    found = _plan(project, hide=False)
    assert found.returncode == 0, found.stderr
    assert "checks not run" not in found.stdout + found.stderr
