"""A run whose lock was force-unlocked while it hung may not write again (fencing)."""

from __future__ import annotations

import signal

import pytest

from reconciler.emulator import Emulator, FaultPlan
from reconciler.state import LockLostError
from tests.remote.conftest import Store
from tests.remote.test_backend_contract import holder
from tests.remote.test_two_checkouts import Checkout, _jobs, checkouts, emulator
from tests.state.helpers import copied_command, record

__all__ = ["checkouts", "emulator"]  # fixtures


# S3 is not fenced this way (it would cost a request per checkpoint): see the README.
@pytest.mark.parametrize("store", ["local", "postgres"], indirect=True)
def test_a_force_unlocked_holder_cannot_write_after_waking(store: Store) -> None:
    hung = store.backend()
    base = hung.write(hung.read().with_voice(record("alpha")))
    with hung.lock("apply", 0) as info:
        state = hung.checkpoint(base.with_voice(record("beta")), ["beta"])  # while it holds
        store.backend().force_unlock(info.id)
        with pytest.raises(LockLostError) as caught:
            hung.checkpoint(state.with_voice(record("gamma")), ["gamma"])
        assert info.id in caught.value.message and "force-unlock" in caught.value.message
        with holder(store) as (_, new_id):  # the next run takes the lock
            with pytest.raises(LockLostError) as caught:
                hung.checkpoint(state.with_voice(record("gamma")), ["gamma"])
            assert new_id in caught.value.message  # it names the run that holds it now
            with pytest.raises(LockLostError):
                hung.write(state.with_voice(record("gamma")))
            taken_over = store.backend().read()
    assert taken_over.to_dict() == state.to_dict()  # nothing recorded after the unlock
    assert store.backend().read().to_dict() == state.to_dict()  # nor by its release


@pytest.mark.parametrize("checkouts", ["postgres"], indirect=True)
def test_a_hung_apply_that_was_force_unlocked_stops_at_its_next_checkpoint(
    checkouts: tuple[Checkout, Checkout], emulator: Emulator
) -> None:
    hung, other = checkouts
    emulator.set_faults(FaultPlan.parse({"object_put": {"latency": 0.5}}))
    process = hung.start("apply", "--auto-approve", "--parallelism", "1")
    assert process.stdout is not None
    seen = []
    for line in process.stdout:
        seen.append(line)
        if "uploading training data" in line:
            process.send_signal(signal.SIGSTOP)  # hung mid-step, its lock session still open
            break
    try:
        code, out = other.run("plan", "--lock-timeout", "0")
        assert code == 1, out
        words = copied_command(out)
        code, out = other.run(*words, "--force")
        assert code == 0, out
        code, before = other.run("state", "pull")
        assert code == 0, before
        jobs = _jobs(emulator)
    finally:
        process.send_signal(signal.SIGCONT)
    rest, _ = process.communicate(timeout=120)
    output = "".join(seen) + rest
    assert process.returncode == 1, output
    assert "was removed by force-unlock" in output and "Traceback" not in output
    # Its upload finished, but "uploaded" was refused and no voice took another step.
    assert other.run("state", "pull")[1] == before
    assert len(_jobs(emulator)) == len(jobs) == 1
    assert output.count("not carried out: this run's state lock was force-unlocked") == 4
