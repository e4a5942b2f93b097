"""Training data in Git LFS, with real git-lfs: a clone made without the LFS content plans as
the full checkout does, reading no byte of audio; apply fetches only the voices it uploads.

The LFS server is a bare repository on disk: git-lfs serves file:// remotes itself (its
standalone file transfer), so nothing leaves the machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from reconciler.data import DigestCache
from reconciler.data.lfs import read_pointer
from tests.e2e.conftest import Project

pytestmark = pytest.mark.skipif(shutil.which("git-lfs") is None, reason="needs git-lfs")

ATTRIBUTES = "".join(
    f"*.{ext} filter=lfs diff=lfs merge=lfs -text\n" for ext in ("wav", "zip", "pdf")
)


def git(cwd: Path, *args: str, **env: str) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, f"git {' '.join(args)}: {done.stderr}"
    return done.stdout


def is_pointer(path: Path) -> bool:
    return read_pointer(path, path.stat().st_size)[0] is not None


class Caches:
    """Every DigestCache the runs make: what they read is counted there (bytes_read)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.made: list[DigestCache] = []
        made = self.made

        class Counted(DigestCache):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, **kwargs)
                made.append(self)

        monkeypatch.setattr("reconciler.operations.workspace.DigestCache", Counted)

    def bytes_read(self) -> int:
        return sum(cache.bytes_read for cache in self.made)


@pytest.fixture
def repos(
    tmp_path: Path, project: Project, monkeypatch: pytest.MonkeyPatch
) -> tuple[Project, Project, Path]:
    """(the author's checkout, with the data; a CI clone without it; the bare remote)."""
    return make_repos(tmp_path, project, monkeypatch)


def make_repos(
    tmp_path: Path, project: Project, monkeypatch: pytest.MonkeyPatch
) -> tuple[Project, Project, Path]:
    home = tmp_path / "home"
    home.mkdir()
    for name, value in {
        "HOME": str(home),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }.items():
        monkeypatch.setenv(name, value)
    author = project.root
    git(author, "init", "-q", "-b", "main")
    git(author, "lfs", "install", "--local")
    (author / ".gitattributes").write_text(ATTRIBUTES, "utf-8")
    (author / ".gitignore").write_text(".reconciler/\nreconciler.state.json*\n", "utf-8")
    code, out, err = project.run("validate", "--update-lock", "--no-table")
    assert code == 0 and "Wrote reconciler.lock." in out, out + err
    git(author, "add", "-A")
    git(author, "commit", "-q", "-m", "voices")
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    git(author, "remote", "add", "origin", remote.as_uri())
    git(author, "push", "-q", "origin", "main")
    clone_root = tmp_path / "clone"
    git(tmp_path, "clone", "-q", remote.as_uri(), str(clone_root), GIT_LFS_SKIP_SMUDGE="1")
    git(clone_root, "lfs", "install", "--local", "--skip-smudge")
    clone = Project(clone_root, project.emulator, dict(project.environ))
    clone.environ["RECONCILER_CACHE_DIR"] = str(tmp_path / "clone-cache")
    assert is_pointer(clone_root / "data" / "basic" / "0.wav")
    assert is_pointer(clone_root / "data" / "long.zip")
    return project, clone, remote


def _share_state(author: Project, clone: Project) -> None:
    """The state as a team shares it (a bucket, say): here, a copy."""
    shutil.copy2(author.state_path, clone.state_path)


def test_a_clone_without_lfs_content_plans_no_changes_reading_no_audio(
    repos: tuple[Project, Project, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    author, clone, _ = repos
    code, out, err = author.run("apply", "--auto-approve")
    assert code == 0 and "5 created" in out, out + err
    _share_state(author, clone)
    caches = Caches(monkeypatch)
    code, out, err = clone.run("plan", "--detailed-exitcode")
    assert code == 0 and "No changes." in out, out + err
    # No byte of audio: only the transcripts, kept in Git rather than LFS, are hashed (the
    # digest needs their sha256); their facts come from the lock, as the recordings' do.
    texts = sum(p.stat().st_size for p in (clone.root / "data" / "basic").glob("*.txt"))
    assert caches.made and caches.bytes_read() == texts
    assert is_pointer(clone.root / "data" / "basic" / "0.wav")  # nothing was fetched


def test_apply_fetches_only_the_voices_it_uploads(
    repos: tuple[Project, Project, Path],
) -> None:
    author, clone, _ = repos
    code, out, err = author.run("apply", "--auto-approve", "--exclude", "voice.premium")
    assert code == 0 and "4 created" in out, out + err
    _share_state(author, clone)
    code, out, err = clone.run("apply", "--auto-approve")
    assert code == 0 and "1 created" in out, out + err
    assert not is_pointer(clone.root / "data" / "premium" / "recording.wav")
    for other in ("data/basic/0.wav", "data/basic/0.txt", "data/long.zip", "letter.pdf"):
        path = clone.root / other
        assert other.endswith(".txt") or is_pointer(path), other
    uploaded = author.root / "data" / "premium" / "recording.wav"
    assert (clone.root / "data" / "premium" / "recording.wav").read_bytes() == uploaded.read_bytes()
    record = clone.state()["voices"]["premium"]
    assert record["phase"] == "submitted"
    code, out, err = clone.run("plan", "--detailed-exitcode")
    assert code == 0 and "No changes." in out, out + err


def test_apply_fetches_a_folder_whose_name_has_a_comma(
    tmp_path: Path, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """git lfs pull --include splits at commas with no escape: the path is still fetched."""
    folder = "data/premium, take 2"
    (project.root / "data" / "premium").rename(project.root / folder)
    config = (project.root / "voices.yaml").read_text("utf-8")
    (project.root / "voices.yaml").write_text(
        config.replace("{dir: data/premium}", f"{{dir: '{folder}'}}"), "utf-8"
    )
    author, clone, _ = make_repos(tmp_path, project, monkeypatch)
    code, out, err = author.run("apply", "--auto-approve", "--exclude", "voice.premium")
    assert code == 0 and "4 created" in out, out + err
    _share_state(author, clone)
    fetched = clone.root / folder / "recording.wav"
    assert is_pointer(fetched)
    code, out, err = clone.run("apply", "--auto-approve")
    assert code == 0 and "1 created" in out, out + err
    assert fetched.read_bytes() == (author.root / folder / "recording.wav").read_bytes()
    assert is_pointer(clone.root / "data" / "basic" / "0.wav")


def read_pointer_oid(path: Path) -> str:
    found, _ = read_pointer(path, path.stat().st_size)
    assert found is not None
    return found.oid


RECORDING = "data/premium/recording.wav"


def _lose_object(clone: Project, remote: Path) -> str:
    """The LFS server lacks the premium recording's object; what apply must say."""
    oid = read_pointer_oid(clone.root / RECORDING)
    stored = remote / "lfs" / "objects" / oid[:2] / oid[2:4] / oid
    assert stored.is_file()
    stored.unlink()
    return f"the Git LFS object sha256:{oid} could not be fetched"


def _damage_object(clone: Project, remote: Path) -> str:
    """git lfs pull checks out a damaged local object without a word: apply's own check of
    every fetched file against its pointer must catch it."""
    oid = read_pointer_oid(clone.root / RECORDING)
    git(clone.root, "lfs", "fetch", f"--include={RECORDING}")
    stored = clone.root / ".git" / "lfs" / "objects" / oid[:2] / oid[2:4] / oid
    size = stored.stat().st_size
    stored.unlink()  # a new file: the object may be hard-linked to the remote's
    stored.write_bytes(b"\0" * size)
    return f"differs from its Git LFS pointer (sha256:{oid}, {size} bytes)"


FAULTS = {"missing": _lose_object, "damaged": _damage_object}


def _mutations(project: Project) -> dict[str, int]:
    """The calls since the last reset that create, delete or upload anything."""
    operations: dict[str, int] = project.admin("GET", "/stats")["operations"]
    return {
        op: n for op, n in operations.items() if op.startswith(("create_", "delete_", "object_"))
    }


def _job_ids(project: Project) -> set[str]:
    # Only what identifies a job: its signed URLs and state move on by themselves.
    return {job["job_id"] for job in project.jobs()}


def _located_line(said: str, expected: str) -> str:
    (line,) = [line for line in said.splitlines() if expected in line]
    assert "voices.yaml:" in line and "voices.premium.data.dir: " in line, line
    assert RECORDING in line, line
    assert line.endswith("nothing was created, deleted or uploaded"), line
    return line


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_bad_object_stops_the_create_before_the_job_exists(
    repos: tuple[Project, Project, Path], fault: str
) -> None:
    author, clone, remote = repos
    expected = FAULTS[fault](clone, remote)
    code, out, err = author.run("apply", "--auto-approve", "--exclude", "voice.premium")
    assert code == 0, out + err
    _share_state(author, clone)
    jobs = _job_ids(author)
    author.admin("DELETE", "/stats")
    code, out, err = clone.run("apply", "--auto-approve")
    assert code == 1, out + err
    _located_line(out + err, expected)
    assert "Traceback" not in out + err
    # No training resource taken: no job to resume, nothing recorded for it.
    assert _mutations(author) == {}
    assert _job_ids(author) == jobs
    assert "premium" not in clone.state()["voices"]


def test_the_next_apply_creates_the_voice_once_the_object_is_pushed(
    repos: tuple[Project, Project, Path],
) -> None:
    author, clone, remote = repos
    _lose_object(clone, remote)
    code, out, err = author.run("apply", "--auto-approve", "--exclude", "voice.premium")
    assert code == 0, out + err
    _share_state(author, clone)
    code, out, err = clone.run("apply", "--auto-approve")
    assert code == 1, out + err
    git(author.root, "lfs", "push", "--all", "origin")  # the author still has it
    author.admin("DELETE", "/stats")
    code, out, err = clone.run("apply", "--auto-approve")
    assert code == 0 and "1 created" in out, out + err
    assert sum(n for op, n in _mutations(author).items() if op.startswith("create_")) == 1
    assert clone.state()["voices"]["premium"]["phase"] == "submitted"
    assert (clone.root / RECORDING).read_bytes() == (author.root / RECORDING).read_bytes()


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_bad_object_stops_a_replace_before_the_old_job_is_deleted(
    repos: tuple[Project, Project, Path], fault: str
) -> None:
    author, clone, remote = repos
    code, out, err = author.run("apply", "--auto-approve")
    assert code == 0 and "5 created" in out, out + err
    _share_state(author, clone)
    expected = FAULTS[fault](clone, remote)
    kept = clone.state()["voices"]["premium"]
    jobs = _job_ids(author)
    author.admin("DELETE", "/stats")
    code, out, err = clone.run("apply", "--auto-approve", "--replace", "voice.premium")
    assert code == 1, out + err
    _located_line(out + err, expected)
    assert _mutations(author) == {}
    assert _job_ids(author) == jobs
    record = clone.state()["voices"]["premium"]
    assert (record["job_id"], record["phase"]) == (kept["job_id"], "submitted")
