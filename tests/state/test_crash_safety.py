"""kill -9 a writer at random instants: the file must always be one complete version."""

from __future__ import annotations

import json
import os
import random
import re
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from reconciler.state import LocalStateBackend
from tests.state.child import VOICES, changed_by
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


def expected_stamps(serial: int) -> dict[str, int]:
    """What every voice's based_on must be at ``serial``: the whole history is one sequence
    (a write stamping every voice 0, then checkpoints each based on the serial before)."""
    stamps = {f"voice-{index:03d}": 0 for index in range(VOICES)}
    for based_on in range(1, serial):
        for name in changed_by(based_on):
            stamps[name] = based_on
    return stamps


def run_and_kill(state_path: Path, kill_when: Callable[[], bool], deadline: float) -> int:
    """Start a checkpointing child, SIGKILL it once ``kill_when()``; return the last serial
    it reported durable."""
    child = spawn("checkpoint", str(state_path))
    durable = 0
    try:
        assert child.stdout is not None and child.stdout.readline() == "ready\n"
        while not kill_when() and time.monotonic() < deadline:
            pass
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=5)
        durable = max([int(line) for line in child.stdout.read().split()] or [0])
    finally:
        stop(child)
    return durable


def past(moment: float) -> Callable[[], bool]:
    return lambda: time.monotonic() >= moment


def check_reads_back(state_path: Path, durable: int, last: int) -> int:
    state = LocalStateBackend(state_path).read()
    assert state.serial >= max(durable, last), "a checkpoint that returned was lost"
    stamps = {name: record.spec["based_on"] for name, record in state.voices.items()}
    assert stamps == expected_stamps(state.serial), f"serial {state.serial} is mixed"
    return state.serial


@pytest.mark.timeout(60)
def test_kill_9_during_checkpoints_loses_nothing_that_returned(state_path: Path) -> None:
    rng = random.Random(20261201)
    last = 0
    for _ in range(KILLS):
        until = time.monotonic() + rng.uniform(0, 0.15)
        durable = run_and_kill(state_path, past(until), until + 1)
        last = check_reads_back(state_path, durable, last)
    assert last > 2, "the children never got a checkpoint in"


@pytest.mark.timeout(60)
def test_kill_9_during_compaction_leaves_a_state_that_reads_back(state_path: Path) -> None:
    folder = state_path.parent
    temps = re.compile(rf"^\.{re.escape(state_path.name)}(\.backup)?\.\d+\.[0-9a-f]+\.tmp$")

    def compacting() -> bool:
        # A temp file of the snapshot or its backup, or the backup made (a second name of
        # the snapshot file) and the new snapshot not yet in place: the window is the
        # encode, write and fsync of the new snapshot.
        try:
            linked = os.stat(state_path).st_nlink > 1
        except FileNotFoundError:
            linked = False
        return linked or any(temps.match(name) for name in os.listdir(folder))

    last, caught, stale = 0, 0, 0
    deadline = time.monotonic() + 40
    for _ in range(KILLS):
        run_and_kill(state_path, compacting, deadline)
        caught += compacting()
        journal = state_path.with_name(state_path.name + ".journal")
        snapshot_serial = json.loads(state_path.read_text())["serial"]
        lines = journal.read_bytes().splitlines() if journal.exists() else []
        stale += any(json.loads(line)["serial"] <= snapshot_serial for line in lines[:1])
        last = check_reads_back(state_path, 0, last)
    assert caught >= KILLS // 2, f"only {caught} of {KILLS} kills landed in a compaction"
    # The next writer cleans up after the killed ones and goes on from where they stopped.
    backend = LocalStateBackend(state_path)
    state = backend.read()
    with backend.lock("apply", timeout=0):
        backend.checkpoint(state.with_records({}), [])
    assert not any(temps.match(name) for name in os.listdir(folder)), os.listdir(folder)
    print(f"{caught} kills inside a compaction, {stale} after its snapshot, before its cleanup")
