"""Disk errors while writing the state, its backup, the lock and its note, through the CLI.

Each must be one line naming the file that failed and why, exit 1, and leave the state as it
was: no traceback, no "unexpected", no half-written file, no stray temp file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.state import LocalStateBackend
from tests.cli_runs import run_cli, run_limited
from tests.state.helpers import record

CONFIG = "version: 1\nprovider: {region: cn-north-4}\nstate: {path: states/prod.json}\nvoices: {}\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "voices.yaml").write_text(CONFIG)
    return tmp_path


@pytest.fixture
def state_path(project: Path) -> Path:
    """A state at serial 2 (so it has a backup) recording two voices."""
    path = project / "states" / "prod.json"
    backend = LocalStateBackend(path)
    backend.write(
        backend.write(backend.read().with_voice(record("gentle"))).with_voice(record("calm"))
    )
    return path


def assert_one_error_line(err: str, *parts: str) -> None:
    assert err.startswith("Error: ") and err.count("\n") == 1, err
    assert "unexpected" not in err and "Traceback" not in err
    for part in parts:
        assert part in err, err


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_directory_in_place_of_the_backup_is_named_and_the_state_is_untouched(
    project: Path, state_path: Path
) -> None:
    backup = state_path.with_name("prod.json.backup")
    backup.unlink()
    (backup / "someone's notes").mkdir(parents=True)
    before = state_path.read_bytes()

    status, out, err = run_cli(project, "state", "rm", "voice.gentle")

    assert (status, out) == (1, "")
    assert_one_error_line(
        err,
        f"cannot write the state backup {backup}: Is a directory",
        f"state file {state_path} is unchanged at serial 2",
    )
    assert "retrying the same write is safe" not in err
    assert state_path.read_bytes() == before
    assert leftovers(state_path.parent) == [] and (backup / "someone's notes").is_dir()
    assert not state_path.with_name("prod.json.lock.info").exists()


def test_a_full_disk_while_writing_the_lock_note_leaves_no_lock(
    project: Path, state_path: Path
) -> None:
    before = state_path.read_bytes()
    # The lock file itself is empty; the note (a few hundred bytes) cannot be written.
    status, out, err = run_limited(64, project, "state", "rm", "voice.gentle")
    note = state_path.with_name("prod.json.lock.info")
    assert (status, out) == (1, "")
    assert_one_error_line(err, f"cannot write the lock note {note}: File too large")
    assert not note.exists() and leftovers(state_path.parent) == []
    assert state_path.read_bytes() == before
    # The OS lock went with the process: the next run gets it.
    assert run_cli(project, "state", "rm", "voice.gentle")[0] == 0


def test_a_full_disk_while_writing_the_backup_leaves_the_state_as_it_was(
    project: Path, state_path: Path
) -> None:
    # A state file whose mode someone changed is backed up by a copy (a link would keep the
    # mode): that copy is what the full disk stops.
    state_path.chmod(0o644)
    before = state_path.read_bytes()
    status, out, err = run_limited(len(before) // 2, project, "state", "rm", "voice.gentle")
    backup = state_path.with_name("prod.json.backup")
    assert (status, out) == (1, "")
    assert_one_error_line(err, f"cannot write the state backup {backup}: File too large")
    assert state_path.read_bytes() == before
    assert LocalStateBackend(backup).read().serial == 1  # the old backup, not half a new one
    assert leftovers(state_path.parent) == []


def test_a_full_disk_while_writing_the_state_keeps_a_linked_backup_of_it(
    project: Path, state_path: Path
) -> None:
    before = state_path.read_bytes()
    status, out, err = run_limited(len(before) // 2, project, "state", "rm", "voice.gentle")
    assert (status, out) == (1, "")
    assert_one_error_line(err, f"cannot write state file {state_path}: File too large")
    assert state_path.read_bytes() == before
    # The backup cost no bytes: it is the state file under a second name.
    backup = state_path.with_name("prod.json.backup")
    assert backup.stat().st_ino == state_path.stat().st_ino
    assert leftovers(state_path.parent) == []
    assert run_cli(project, "state", "rm", "voice.gentle")[0] == 0
    assert backup.read_bytes() == before and backup.stat().st_nlink == 1


def test_a_file_in_place_of_the_state_directory_is_named(project: Path) -> None:
    (project / "states").write_text("not a directory")
    status, out, err = run_cli(project, "state", "rm", "voice.gentle")
    assert (status, out) == (1, "")
    assert_one_error_line(
        err,
        f"cannot create directory {project / 'states'}: File exists",
        f"({project / 'states'} is not a directory)",
    )
    status, out, err = run_cli(project, "state", "list")
    assert (status, out) == (1, "")
    assert_one_error_line(
        err,
        f"cannot read state file {project / 'states' / 'prod.json'}: Not a directory",
        f"({project / 'states'} is not a directory)",
    )
    assert (project / "states").read_text() == "not a directory"


def test_a_directory_in_place_of_the_lock_file_is_named(project: Path, state_path: Path) -> None:
    lock = state_path.with_name("prod.json.lock")
    lock.mkdir()
    before = state_path.read_bytes()
    status, out, err = run_cli(project, "state", "rm", "voice.gentle")
    assert (status, out) == (1, "")
    assert_one_error_line(err, f"cannot lock {lock}: ")
    assert state_path.read_bytes() == before
