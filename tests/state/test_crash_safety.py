"""kill -9 a writer at random instants: the file must always be one complete version."""

from __future__ import annotations

import json
import random
import signal
import time
from pathlib import Path

import pytest

from reconciler.state import LocalStateBackend
from tests.state.helpers import spawn, stop

KILLS = 25


def _check_complete(path: Path) -> tuple[str, int]:
    data = json.loads(path.read_text())
    serial = data["serial"]
    based_on = {voice["spec"]["based_on"] for voice in data["voices"].values()}
    assert based_on <= {serial - 1}, f"serial {serial} holds records based on {based_on}"
    return data["lineage"], serial


@pytest.mark.timeout(30)
def test_kill_9_during_writes_always_leaves_a_complete_state(
    backend: LocalStateBackend, state_path: Path
) -> None:
    lineage = backend.write(backend.read()).lineage
    backup = Path(f"{state_path}.backup")
    last_serial, stray_seen = 1, 0
    rng = random.Random(20250101)
    started = time.monotonic()
    for _ in range(KILLS):
        child = spawn("write", str(state_path))
        try:
            assert child.stdout is not None and child.stdout.readline() == "ready\n"
            time.sleep(rng.uniform(0, 0.05))
            child.send_signal(signal.SIGKILL)
        finally:
            stop(child)
        assert _check_complete(state_path)[0] == lineage
        serial = _check_complete(state_path)[1]
        backup_serial = _check_complete(backup)[1]
        assert serial > last_serial, "the child's first write must have landed"
        assert backup_serial in (serial - 1, serial)
        assert backend.read().serial == serial
        last_serial = serial
        stray_seen += len(list(state_path.parent.glob(".*.tmp")))
    assert time.monotonic() - started < 15

    # The next run neither trips over nor keeps what the killed writers left behind.
    backend.write(backend.read())
    assert list(state_path.parent.glob(".*.tmp")) == []
    print(f"{KILLS} kills, {stray_seen} stray temp files seen and cleaned")
