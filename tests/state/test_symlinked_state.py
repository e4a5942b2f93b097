"""A state file reached through symbolic links: one state and one lock, never a fork."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reconciler.state import LocalStateBackend, LockError, StateError
from tests.cli_runs import run_cli
from tests.state.helpers import record, spawn, stop

pytestmark = pytest.mark.timeout(20)

CONFIG = "version: 1\nprovider: {region: cn-north-4}\nvoices: {}\n"
STATE = "reconciler.state.json"


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    """The state file both checkouts link to, with one voice in it."""
    target = tmp_path / "shared" / "team.state.json"
    target.parent.mkdir()
    backend = LocalStateBackend(target)
    backend.write(backend.read().with_voice(record("gentle")))
    return target


def checkout(tmp_path: Path, name: str, link_to: str | Path) -> Path:
    """A config directory whose default state path is a link (relative or absolute)."""
    folder = tmp_path / name
    folder.mkdir()
    (folder / "voices.yaml").write_text(CONFIG)
    (folder / STATE).symlink_to(link_to)
    return folder


def test_a_write_through_one_checkout_keeps_the_link_and_the_other_sees_it(
    tmp_path: Path, shared: Path
) -> None:
    first = checkout(tmp_path, "first", Path("..") / "shared" / shared.name)
    second = checkout(tmp_path, "second", shared)
    LocalStateBackend(shared).write(
        LocalStateBackend(shared).read().with_voice(record("calm", job_id="job-calm"))
    )

    assert run_cli(first, "state", "rm", "voice.gentle") == (
        0,
        "Removed voice.gentle from the state; job job-gentle still exists in MetaStudio "
        "(adopt it again with `reconciler import voice.gentle job-gentle`).\n",
        "",
    )

    for folder, target in ((first, "../shared/team.state.json"), (second, str(shared))):
        assert os.readlink(folder / STATE) == target, "the link was replaced by a file"
        assert sorted(p.name for p in folder.iterdir()) == [STATE, "voices.yaml"]
    status, out, err = run_cli(second, "state", "list")
    assert (status, err) == (0, "")
    assert "voice.calm" in out and "voice.gentle" not in out
    assert LocalStateBackend(shared).read().serial == 3
    # The backup is beside the file, holding the version before the write.
    backup = LocalStateBackend(shared.with_name(f"{shared.name}.backup")).read()
    assert (backup.serial, set(backup.voices)) == (2, {"gentle", "calm"})


def test_the_lock_taken_through_one_checkout_blocks_the_other(tmp_path: Path, shared: Path) -> None:
    first = checkout(tmp_path, "first", Path("..") / "shared" / shared.name)
    second = checkout(tmp_path, "second", shared)
    holder = spawn("hold", str(first / STATE), "apply")
    try:
        assert holder.stdout is not None
        lock_id = holder.stdout.readline().strip()
        assert lock_id and not lock_id.startswith("busy")
        assert (shared.parent / f"{shared.name}.lock.info").is_file()

        with pytest.raises(LockError, match=lock_id):
            with LocalStateBackend(second / STATE).lock("plan", timeout=0):
                pass
        status, out, err = run_cli(second, "state", "rm", "voice.gentle")
        assert (status, out) == (1, "")
        assert err.count("\n") == 1 and lock_id in err and "'apply'" in err
    finally:
        stop(holder)
    assert "gentle" in LocalStateBackend(shared).read().voices
    assert sorted(p.name for p in first.iterdir()) == [STATE, "voices.yaml"]


def test_a_relative_link_is_read_from_the_links_directory_not_the_working_one(
    tmp_path: Path, shared: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = checkout(tmp_path, "first", Path("..") / "shared" / shared.name)
    # From this working directory the same relative path names a decoy.
    elsewhere = tmp_path / "deep" / "cwd"
    (tmp_path / "deep" / "shared").mkdir(parents=True)
    elsewhere.mkdir()
    decoy = tmp_path / "deep" / "shared" / shared.name
    decoy.write_text("not a state")
    monkeypatch.chdir(elsewhere)

    backend = LocalStateBackend(Path(os.path.relpath(first / STATE)))
    backend.write(backend.read().with_voice(record("calm")))
    assert set(LocalStateBackend(shared).read().voices) == {"gentle", "calm"}
    assert decoy.read_text() == "not a state"


def test_a_chain_of_links_leads_to_one_state(tmp_path: Path, shared: Path) -> None:
    hop = tmp_path / "hop"
    hop.mkdir()
    (hop / "middle.json").symlink_to(Path("..") / "shared" / shared.name)
    first = checkout(tmp_path, "first", Path("..") / "hop" / "middle.json")

    backend = LocalStateBackend(first / STATE)
    assert backend.describe() == str(shared)
    backend.write(backend.read().with_voice(record("calm")))
    assert (first / STATE).is_symlink() and (hop / "middle.json").is_symlink()
    assert set(LocalStateBackend(shared).read().voices) == {"gentle", "calm"}


def test_a_dangling_link_is_an_error_not_an_empty_state(tmp_path: Path) -> None:
    missing = tmp_path / "unmounted" / "team.state.json"
    first = checkout(tmp_path, "first", missing)
    with pytest.raises(StateError, match=f"link to {missing}, which does not exist"):
        LocalStateBackend(first / STATE)
    status, out, err = run_cli(first, "state", "list")
    assert (status, out) == (1, "")
    assert err.startswith(f"Error: state file {first / STATE} is a symbolic link to {missing}")
    assert err.count("\n") == 1 and "unexpected" not in err
    assert not missing.parent.exists() and (first / STATE).is_symlink()


def test_a_link_loop_is_an_error(tmp_path: Path) -> None:
    first = checkout(tmp_path, "first", tmp_path / "loop.json")
    (tmp_path / "loop.json").symlink_to(first / STATE)
    status, out, err = run_cli(first, "state", "rm", "voice.gentle")
    assert (status, out) == (1, "")
    assert f"state file {first / STATE} is a symbolic link that never reaches a file" in err
    assert err.count("\n") == 1 and (tmp_path / "loop.json").is_symlink()


def test_a_link_to_a_directory_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "states").mkdir()
    first = checkout(tmp_path, "first", tmp_path / "states")
    with pytest.raises(StateError, match=f"link to the directory {tmp_path / 'states'}"):
        LocalStateBackend(first / STATE)
    assert list((tmp_path / "states").iterdir()) == []
