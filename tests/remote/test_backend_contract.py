"""The StateBackend contract, the same for every backend: local file, S3 (moto), PostgreSQL."""

from __future__ import annotations

import dataclasses
import io
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from reconciler.cli import main
from reconciler.environment import Environment
from reconciler.state import LockError, State, StateError
from reconciler.state.codec import WORK
from tests.remote.conftest import KINDS, Store
from tests.remote.servers import wait_until
from tests.state.helpers import REPO, copied_command, record
from tests.state.test_force_unlock_command import Terminal

pytestmark = pytest.mark.parametrize("store", KINDS, indirect=True)


def test_write_then_read_from_another_run(store: Store) -> None:
    first = store.backend()
    empty = first.read()
    assert empty.serial == 0 and not empty.voices
    written = first.write(empty.with_voice(record("alpha")))
    assert written.serial == 1
    again = store.backend().read()
    assert again.to_dict() == written.to_dict()


def test_a_read_from_another_run_decodes_only_the_records_it_uses(store: Store) -> None:
    backend = store.backend()
    names = [f"v{i:02d}" for i in range(20)]
    backend.write(backend.read().with_records({name: record(name) for name in names}))
    before = WORK.decoded
    seen = store.backend().read()
    assert sorted(seen.voices) == names and WORK.decoded == before
    assert seen.voices["v07"] == record("v07") and WORK.decoded == before + 1


def test_checkpoint_records_several_voices_and_removals(store: Store) -> None:
    backend = store.backend()
    state = backend.write(backend.read().with_voice(record("alpha")).with_voice(record("beta")))
    state = state.with_voice(record("alpha", phase="uploaded")).without_voice("beta")
    state = state.with_voice(record("gamma"))
    stored = backend.checkpoint(state, ["alpha", "beta", "gamma"])
    assert stored.serial == 2
    seen = store.backend().read()
    assert seen.serial == 2 and seen.lineage == state.lineage
    assert sorted(seen.voices) == ["alpha", "gamma"]
    assert seen.voices["alpha"].phase == "uploaded"
    # And it survives the end of a locked run (remote backends fold the journal then).
    with backend.lock("apply", 0):
        later = backend.checkpoint(seen.with_voice(record("delta")), ["delta"])
    assert store.backend().read().to_dict() == later.to_dict()


def test_a_stale_write_or_checkpoint_is_refused(store: Store) -> None:
    mine, theirs = store.backend(), store.backend()
    base = mine.write(mine.read().with_voice(record("alpha")))
    theirs.checkpoint(theirs.read().with_voice(record("beta")), ["beta"])
    with pytest.raises(StateError, match="serial"):
        mine.checkpoint(base.with_voice(record("gamma")), ["gamma"])
    with pytest.raises(StateError, match="serial"):
        mine.write(base.with_voice(record("gamma")))
    assert sorted(store.backend().read().voices) == ["alpha", "beta"]


def test_a_state_of_another_lineage_is_refused(store: Store) -> None:
    backend = store.backend()
    stored = backend.write(backend.read().with_voice(record("alpha")))
    stranger = dataclasses.replace(State.new(), serial=stored.serial)
    with pytest.raises(StateError, match="lineage"):
        store.backend().write(stranger.with_voice(record("beta")))
    assert store.backend().read().lineage == stored.lineage


@contextmanager
def holder(store: Store) -> Iterator[tuple[subprocess.Popen[str], str]]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.remote.holder", str(store.config_dir())],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )
    try:
        assert process.stdout is not None
        lock_id = process.stdout.readline().strip()
        assert lock_id, "the holder did not get the lock"
        yield process, lock_id
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                stream.close()


def test_a_held_lock_fails_at_once_naming_the_holder(store: Store) -> None:
    with holder(store) as (_, lock_id):
        started = time.monotonic()
        with pytest.raises(LockError) as caught, store.backend().lock("plan", 0):
            pass
        assert time.monotonic() - started < 5
        message = str(caught.value) + (caught.value.hint or "")
        assert lock_id in message and "'apply'" in message
        assert f"force-unlock {lock_id}" in message


def test_the_command_a_busy_lock_suggests_can_be_copied_as_it_is(store: Store) -> None:
    with holder(store) as (_, lock_id):
        with pytest.raises(LockError) as caught, store.backend().lock("plan", 0):
            pass
        words = copied_command(str(caught.value))  # hint and all, as the CLI prints it
        assert words == ["force-unlock", lock_id]  # no ")" of the hint's parentheses with it
        answer = Terminal("yes\n")
        out, err = io.StringIO(), io.StringIO()
        env = Environment(stdin=answer, stdout=out, stderr=err, environ={}, cwd=store.config_dir())
        assert main(words, env=env) == 0, err.getvalue()
        with store.backend().lock("plan", 0):
            pass


def test_a_second_run_waits_for_the_lock(store: Store) -> None:
    with holder(store) as (process, _):
        assert process.stdin is not None
        threading.Timer(0.7, lambda: (process.stdin.write("go\n"), process.stdin.flush())).start()  # type: ignore[union-attr]
        started = time.monotonic()
        with store.backend().lock("plan", 20) as info:
            assert info.operation == "plan"
        assert time.monotonic() - started >= 0.5


def test_force_unlock_frees_a_hung_holders_lock(store: Store) -> None:
    with holder(store) as (process, lock_id):
        backend = store.backend()
        with pytest.raises(LockError, match="does not match"):
            backend.force_unlock("not-" + lock_id)
        removed = backend.force_unlock(lock_id)
        assert removed.id == lock_id and removed.operation == "apply"
        with store.backend().lock("plan", 5) as info:
            assert info.id != lock_id
        process.kill()


def test_a_killed_holder_leaves_what_the_store_can_release(store: Store) -> None:
    with holder(store) as (process, lock_id):
        process.kill()
        process.wait(timeout=10)
        if store.kind == "s3":
            # The object stays: no store can tell dead from slow; force-unlock names it.
            with pytest.raises(LockError, match=lock_id):
                with store.backend().lock("plan", 0):
                    pass
            store.backend().force_unlock(lock_id)

        def free() -> bool:
            try:
                with store.backend().lock("plan", 0):
                    return True
            except LockError:
                return False

        assert wait_until(free, 10)
