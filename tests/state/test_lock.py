"""The state lock between real processes: contention, dead holders, hung holders."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from reconciler.state import LocalStateBackend, LockError, LockInfo
from tests.state.helpers import spawn, stop

Holder = tuple[subprocess.Popen[str], str]
pytestmark = pytest.mark.timeout(20)


def _info(state_path: Path) -> dict[str, object]:
    return dict(json.loads(Path(f"{state_path}.lock.info").read_text()))


def test_lock_info_says_who_what_and_since_when(
    backend: LocalStateBackend, state_path: Path
) -> None:
    with backend.lock("plan", timeout=0) as info:
        assert _info(state_path) == info.to_dict()
        assert info.operation == "plan" and info.who.endswith(f"@{info.host}")
        assert info.path == str(state_path) and info.created.endswith("Z")
    assert not Path(f"{state_path}.lock.info").exists()


def test_second_process_times_out_naming_the_holder(
    backend: LocalStateBackend, holder: Holder
) -> None:
    _, lock_id = holder
    started = time.monotonic()
    with pytest.raises(LockError) as raised:
        with backend.lock("plan", timeout=0.3):
            pass
    assert 0.3 <= time.monotonic() - started < 2
    message = str(raised.value)
    assert lock_id in message and "'apply'" in message and "since" in message
    assert "--lock-timeout" in message and f"reconciler force-unlock {lock_id}" in message


def test_zero_timeout_fails_at_once(backend: LocalStateBackend, holder: Holder) -> None:
    started = time.monotonic()
    with pytest.raises(LockError, match=holder[1]):
        with backend.lock("plan", timeout=0):
            pass
    assert time.monotonic() - started < 0.5


def test_a_longer_timeout_gets_the_lock_once_the_holder_releases(
    backend: LocalStateBackend, holder: Holder
) -> None:
    process, lock_id = holder
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write("release\n")
    process.stdin.flush()
    with backend.lock("plan", timeout=10) as info:
        assert info.id != lock_id
    assert process.stdout.readline() == "released\n"


def test_a_killed_holder_does_not_block_the_next_run(
    backend: LocalStateBackend, state_path: Path, holder: Holder
) -> None:
    process, lock_id = holder
    stop(process)  # SIGKILL: no cleanup ran, its note is still there
    assert _info(state_path)["id"] == lock_id
    with backend.lock("apply", timeout=0) as info:
        assert _info(state_path)["id"] == info.id != lock_id


def test_taking_the_lock_twice_in_one_process_fails_at_once(
    backend: LocalStateBackend, state_path: Path
) -> None:
    with backend.lock("apply", timeout=0):
        started = time.monotonic()
        with pytest.raises(LockError, match="already locked by this process for 'apply'"):
            with LocalStateBackend(state_path).lock("plan", timeout=5):
                pass
        assert time.monotonic() - started < 0.5
    with backend.lock("plan", timeout=0):  # the failed attempt did not leave a claim behind
        pass


def test_force_unlock_frees_a_hung_holders_lock_without_it_clobbering_the_next(
    backend: LocalStateBackend, state_path: Path, holder: Holder
) -> None:
    process, lock_id = holder
    removed = backend.force_unlock(lock_id)
    assert (removed.id, removed.operation) == (lock_id, "apply")
    assert not Path(f"{state_path}.lock.info").exists()
    with backend.lock("apply", timeout=0) as info:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write("release\n")  # the hung run wakes up and releases its old lock
        process.stdin.flush()
        assert process.stdout.readline() == "released\n"
        assert _info(state_path)["id"] == info.id
        contender = spawn("hold", str(state_path), "plan", "0")
        try:
            assert contender.stdout is not None
            assert info.id in contender.stdout.readline()  # still ours: "busy: ... <id> ..."
        finally:
            stop(contender)
    assert not Path(f"{state_path}.lock.info").exists()


def test_force_unlock_with_the_wrong_id_names_the_real_holder(
    backend: LocalStateBackend, state_path: Path, holder: Holder
) -> None:
    _, lock_id = holder
    with pytest.raises(LockError) as raised:
        backend.force_unlock("not-the-id")
    assert lock_id in str(raised.value) and "'apply'" in str(raised.value)
    assert _info(state_path)["id"] == lock_id


def test_force_unlock_without_a_lock_is_a_clear_error(
    backend: LocalStateBackend, state_path: Path, holder: Holder
) -> None:
    with pytest.raises(LockError, match="not locked"):
        LocalStateBackend(state_path.with_name("other.json")).force_unlock(holder[1])
    process, lock_id = holder
    stop(process)  # a dead holder's note does not make the state locked
    with pytest.raises(LockError, match="not locked"):
        backend.force_unlock(lock_id)


def test_force_unlock_can_be_declined(backend: LocalStateBackend, holder: Holder) -> None:
    seen: list[LockInfo] = []

    def decline(info: LockInfo) -> bool:
        seen.append(info)
        return False

    with pytest.raises(LockError, match="cancelled"):
        backend.force_unlock(holder[1], confirm=decline)
    assert [info.id for info in seen] == [holder[1]]
    with pytest.raises(LockError, match=holder[1]):
        with backend.lock("plan", timeout=0):
            pass
