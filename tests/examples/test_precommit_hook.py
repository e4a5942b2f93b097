"""The pre-commit hook, run by pre-commit itself: `pre-commit try-repo` of this repository in a
team repository that keeps its voices in voices/, as the GitOps example does.

pre-commit builds the hook's environment from a clone of this repository (`pip install .`).
It runs offline from a wheelhouse of our dependencies that .ci/run builds beside pre-commit,
in a venv of its own (RECONCILER_PRECOMMIT_VENV); without them, this skips outside CI and
fails in CI.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.examples.helpers import REPO, gitops_voices_with_data

DEFAULT_VENV = str(REPO / ".ci" / "tools" / "precommit")  # where .ci/run puts it
# What `pip install .` of this repository needs: the rest is never part of the hook.
HOOK_REPOSITORY = ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml", "reconciler")


def _pre_commit() -> tuple[Path, Path]:
    venv = Path(os.environ.get("RECONCILER_PRECOMMIT_VENV", DEFAULT_VENV))
    executable, wheels = venv / "bin" / "pre-commit", venv / "wheels"
    if not executable.is_file() or not wheels.is_dir():
        reason = f"no pre-commit and wheelhouse in {venv}: .ci/run installs them"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return executable, wheels


def _git(cwd: Path, *args: str) -> None:
    environ = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(cwd),
        "GIT_AUTHOR_NAME": "test",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
    }
    subprocess.run(["git", *args], cwd=cwd, env=environ, check=True, capture_output=True)


def _repository(path: Path) -> Path:
    _git(path, "init", "-q", "-b", "main")
    _git(path, "add", "-A")
    _git(path, "commit", "-q", "-m", "initial")
    return path


def _hook_repository(root: Path) -> Path:
    """This repository as pre-commit clones it: committed, with what installing it needs."""
    root.mkdir()
    for name in HOOK_REPOSITORY:
        source = REPO / name
        if source.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
            shutil.copytree(source, root / name, ignore=ignore)
        else:
            shutil.copy2(source, root / name)
    return _repository(root)


def _team_repository(root: Path) -> Path:
    """The voices in voices/, and other YAML at the root that is no voice configuration."""
    gitops_voices_with_data(root / "voices")
    (root / ".pre-commit-config.yaml").write_text("repos: []\n", encoding="utf-8")
    (root / "docker-compose.yaml").write_text("services: {}\n", encoding="utf-8")
    return _repository(root)


@pytest.mark.timeout(900)  # the first run builds the hook's environment
def test_try_repo_validates_voices_in_a_subdirectory_out_of_the_box(tmp_path: Path) -> None:
    pre_commit, wheels = _pre_commit()
    hook = _hook_repository(tmp_path / "reconciler")
    team = _team_repository(tmp_path / "team")
    environ = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-cache"),
        "PRE_COMMIT_COLOR": "never",
        # The hook's environment installs from the wheelhouse only: no index, no network.
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(wheels),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }

    def try_repo() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(pre_commit), "try-repo", str(hook), "reconciler-validate", "--all-files"],
            cwd=team,
            env=environ,
            capture_output=True,
            text=True,
            timeout=840,
        )

    passed = try_repo()
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "reconciler validate" in passed.stdout and "Passed" in passed.stdout

    config = team / "voices" / "voices.yaml"
    lines = config.read_text(encoding="utf-8").splitlines()
    edition = next(i for i, line in enumerate(lines) if "edition: basic" in line)
    lines[edition] = lines[edition].replace("basic", "gold")
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _git(team, "add", "-A")

    failed = try_repo()
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "Failed" in failed.stdout
    # The one located line of `reconciler validate`: file, line and field.
    assert f"voices.yaml:{edition + 1}" in failed.stdout and "edition" in failed.stdout
    assert "Traceback" not in failed.stdout
