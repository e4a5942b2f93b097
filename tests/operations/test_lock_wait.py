"""A run waiting for the state lock says for whom, and keeps saying it waits, until it has the
lock or gives up; another process really holds the lock (the OS lock is per process)."""

from __future__ import annotations

import io
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from reconciler.environment import Environment
from reconciler.operations.locking import state_lock
from reconciler.state import LocalStateBackend, LockError
from reconciler.views.lock_wait import lock_wait_lines
from tests.clocks import ManualClock
from tests.e2e.conftest import REPO

HOLD = """\
import sys
from pathlib import Path
from reconciler.state import LocalStateBackend
with LocalStateBackend(Path(sys.argv[1])).lock("apply", 0) as info:
    print(info.id, flush=True)
    sys.stdin.read()  # until the test closes it
"""


@contextmanager
def holder(state_path: Path) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(state_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
    )
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip(), process
    finally:
        process.kill()
        process.wait()


def env_with(clock: ManualClock) -> tuple[Environment, io.StringIO]:
    err = io.StringIO()
    env = Environment(
        stdout=io.StringIO(),
        stderr=err,
        environ={"RECONCILER_PROGRESS_INTERVAL": "10"},
        clock=clock,
    )
    return env, err


def test_a_wait_that_fails_names_the_holder_and_says_it_goes_on(tmp_path: Path) -> None:
    state_path = tmp_path / "reconciler.state.json"
    clock = ManualClock()
    env, err = env_with(clock)
    sleeper = clock.sleeper(3)  # three intervals pass on the clock during the wait
    with holder(state_path) as (lock_id, _):
        with pytest.raises(LockError, match=f"after waiting 0.5s.*lock ID {lock_id}"):
            waits = lock_wait_lines(env, sleep=sleeper)
            with state_lock(LocalStateBackend(state_path), "plan", 0.5, waits):
                pytest.fail("the lock was taken while another process held it")
    first, *rest = err.getvalue().splitlines()
    assert first.startswith("waiting for the state lock held by ")
    assert f"'apply', lock ID {lock_id}) since 20" in first and "(up to 0.5s)" in first
    assert len(rest) == 3
    assert [line.rsplit(": ", 1)[1] for line in rest] == [
        "10s of 0.5s",
        "20s of 0.5s",
        "30s of 0.5s",
    ]
    assert all(line.startswith("still waiting for the state lock held by ") for line in rest)


def test_a_wait_that_ends_with_the_lock_says_so(tmp_path: Path) -> None:
    state_path = tmp_path / "reconciler.state.json"
    clock = ManualClock()
    env, err = env_with(clock)
    sleeper = clock.sleeper(2)
    with holder(state_path) as (_, process):
        stdin = process.stdin
        assert stdin is not None

        def let_go() -> None:  # once the waiter has said its lines
            sleeper.done.wait(10)
            stdin.close()

        threading.Thread(target=let_go).start()
        waits = lock_wait_lines(env, sleep=sleeper)
        with state_lock(LocalStateBackend(state_path), "plan", 30, waits) as info:
            assert info.operation == "plan"
    lines = err.getvalue().splitlines()
    assert len(lines) == 4, lines
    assert lines[0].startswith("waiting for the state lock held by ")
    assert lines[-1] == "state lock taken after 20s"


def test_a_free_lock_is_taken_without_a_word(tmp_path: Path) -> None:
    clock = ManualClock()
    env, err = env_with(clock)
    backend = LocalStateBackend(tmp_path / "reconciler.state.json")
    with state_lock(backend, "plan", 30, lock_wait_lines(env, sleep=clock.sleeper(5))):
        pass
    assert err.getvalue() == ""
