"""reconciler force-unlock, run in-process through the CLI entry point."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.cli import main
from reconciler.environment import Environment
from reconciler.state import LocalStateBackend, LockInfo
from tests.state.helpers import copied_command


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def run(cwd: Path, *argv: str, stdin: io.StringIO | None = None) -> tuple[int, str, str]:
    env = Environment(
        stdin=stdin if stdin is not None else io.StringIO(),
        stdout=io.StringIO(),
        stderr=io.StringIO(),
        environ={},
        cwd=cwd,
    )
    status = main(["force-unlock", *argv], env=env)
    assert isinstance(env.stdout, io.StringIO) and isinstance(env.stderr, io.StringIO)
    return status, env.stdout.getvalue(), env.stderr.getvalue()


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    (tmp_path / "voices.yaml").write_text(
        "version: 1\nprovider: {region: cn-north-4}\nstate:\n  path: states/prod.json\nvoices: {}\n"
    )
    return tmp_path


@pytest.fixture
def locked(config_dir: Path) -> Iterator[LockInfo]:
    backend = LocalStateBackend(config_dir / "states" / "prod.json")
    with backend.lock("apply", timeout=0) as info:
        yield info


def _info_file(config_dir: Path) -> Path:
    return config_dir / "states" / "prod.json.lock.info"


def test_force_removes_the_lock_and_says_which(config_dir: Path, locked: LockInfo) -> None:
    status, out, err = run(config_dir, locked.id, "--force")
    assert (status, err) == (0, "")
    assert locked.id in out and locked.who in out and "'apply'" in out and locked.created in out
    assert not _info_file(config_dir).exists()


def test_path_argument_is_relative_to_the_working_directory(
    config_dir: Path, locked: LockInfo
) -> None:
    status, out, _ = run(config_dir.parent, locked.id, config_dir.name, "--force")
    assert status == 0 and str(config_dir / "states" / "prod.json") in out


def test_a_terminal_confirms_with_yes(config_dir: Path, locked: LockInfo) -> None:
    status, out, err = run(config_dir, locked.id, stdin=Terminal("yes\n"))
    assert status == 0 and locked.id in out
    assert "Only 'yes' will be accepted" in err and locked.who in err


def test_anything_but_yes_keeps_the_lock(config_dir: Path, locked: LockInfo) -> None:
    status, out, err = run(config_dir, locked.id, stdin=Terminal("y\n"))
    assert (status, out) == (1, "")
    assert "cancelled" in err
    assert _info_file(config_dir).exists()


def test_without_a_terminal_it_needs_force(config_dir: Path, locked: LockInfo) -> None:
    status, out, err = run(config_dir, locked.id, stdin=io.StringIO("yes\n"))
    assert (status, out) == (1, "")
    assert "stdin is not a terminal" in err and "--force" in err
    assert _info_file(config_dir).exists()


def test_wrong_id_names_the_holder(config_dir: Path, locked: LockInfo) -> None:
    status, _, err = run(config_dir, "wrong-id", "--force")
    assert status == 1 and err.startswith("Error: ") and locked.id in err
    assert _info_file(config_dir).exists()


def test_the_command_a_wrong_id_suggests_can_be_copied_as_it_is(
    config_dir: Path, locked: LockInfo
) -> None:
    _, _, err = run(config_dir, "wrong-id", "--force")
    words = copied_command(err)
    assert words == ["force-unlock", locked.id]  # no ")" of the hint's parentheses with it
    status, out, _ = run(config_dir, *words[1:], stdin=Terminal("yes\n"))
    assert status == 0 and locked.id in out


def test_nothing_to_unlock(config_dir: Path) -> None:
    status, _, err = run(config_dir, "some-id", "--force")
    assert status == 1 and "not locked" in err
