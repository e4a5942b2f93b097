"""The quickstart as the README gives it: generate the data, apply, then plan has no changes.

Run as a user runs it: subprocesses in a temporary copy, so the README cannot rot.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.examples.helpers import (
    EMULATOR_NOTICE,
    QUICKSTART_VOICES,
    REPO,
    clean_environ,
    copy_quickstart,
    quick_start_block,
    reconciler,
    run,
    state_voices,
)

README = REPO / "README.md"
# pip's words when no package index can be reached: the block needs one for its build backend.
NO_INDEX = re.compile(
    r"NewConnectionError|Failed to establish a new connection|Temporary failure in name "
    r"resolution|Network is unreachable|Could not find a version that satisfies"
)


def _assert_applied(project: Path, result: subprocess.CompletedProcess[str]) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert EMULATOR_NOTICE in result.stderr, output
    voices = state_voices(project)
    assert sorted(voices) == sorted(QUICKSTART_VOICES)
    for name, record in voices.items():
        assert record["phase"] == "submitted", name
        assert record["job_id"], name


def _assert_no_changes(root: Path, python: str) -> None:
    argv = [python, "-m", "reconciler", "plan", "examples/quickstart", "--detailed-exitcode"]
    plan = run(argv, root)
    assert plan.returncode == 0, plan.stdout + plan.stderr
    assert "No changes" in plan.stdout
    assert EMULATOR_NOTICE in plan.stderr


@pytest.mark.timeout(120)
def test_make_data_apply_then_plan_has_no_changes(tmp_path: Path) -> None:
    project = copy_quickstart(tmp_path)
    made = run([sys.executable, "examples/quickstart/make_data.py"], tmp_path)
    assert made.returncode == 0, made.stderr

    applied = reconciler("apply", "examples/quickstart", "--auto-approve", cwd=tmp_path)

    _assert_applied(project, applied)
    assert "Apply complete: 5 created, 0 updated, 0 replaced, 0 destroyed." in applied.stdout
    _assert_no_changes(tmp_path, sys.executable)


def _copy_checkout(dest: Path) -> None:
    """What a fresh clone holds, plus new files not yet committed (but never ignored ones)."""
    listing = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=False,
    )
    if listing.returncode != 0:
        pytest.skip(f"{REPO} is not a git checkout: {listing.stderr.decode(errors='replace')}")
    for name in listing.stdout.decode().split("\0"):
        source = REPO / name
        if name and source.is_file():  # listed but deleted in the work tree: not in a clone
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name, follow_symlinks=False)


def _fresh_venv(folder: Path) -> Path:
    """A new venv whose `python -m pip install .` installs into it, not into this one.

    It sees this environment's packages (pip and reconciler's dependencies) through a .pth
    file, so the block's install downloads little; reconciler itself is installed from the
    copy, shadowing nothing here. Returns its bin folder.
    """
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    bin_dir = folder / "bin"
    python = bin_dir / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ours = dict.fromkeys([sysconfig.get_path("purelib"), sysconfig.get_path("platlib")])
    Path(purelib, "_parent_environment.pth").write_text("\n".join(ours) + "\n")
    for name in ("pip", "pip3"):  # a bare `pip` must not reach another environment's pip
        shim = bin_dir / name
        shim.write_text(f'#!/bin/sh\nexec "{python}" -m pip "$@"\n')
        shim.chmod(0o755)
    return bin_dir


@pytest.mark.timeout(600)
@pytest.mark.skipif(shutil.which("bash") is None, reason="the README's commands are for bash")
def test_readme_quick_start_block_runs_in_a_fresh_copy(tmp_path: Path) -> None:
    block = quick_start_block(README.read_text(encoding="utf-8"))
    if block is None:
        pytest.skip("README.md has no 'Quick start' section with a ```sh block yet")
    repo = tmp_path / "repo"
    _copy_checkout(repo)
    bin_dir = _fresh_venv(tmp_path / "venv")
    ours = os.path.dirname(sys.executable)
    path = [str(bin_dir), *(p for p in os.environ.get("PATH", "").split(os.pathsep) if p != ours)]
    environ = clean_environ(PATH=os.pathsep.join(path), VIRTUAL_ENV=str(bin_dir.parent))

    result = run(["bash", "-e", "-o", "pipefail", "-c", block], repo, environ=environ, timeout=540)

    if result.returncode != 0 and NO_INDEX.search(result.stdout + result.stderr):
        pytest.skip(f"no package index reachable for the README's pip install:\n{result.stderr}")
    _assert_applied(repo / "examples" / "quickstart", result)
    _assert_no_changes(repo, str(bin_dir / "python"))
