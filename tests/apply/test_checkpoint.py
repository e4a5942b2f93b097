"""Group commit: voices that checkpoint while a write is in flight share the next write, and
each returns only once its own change is stored."""

from __future__ import annotations

import threading
from collections.abc import Collection
from pathlib import Path

import pytest

from reconciler.apply.checkpoint import Checkpointer
from reconciler.state import LocalStateBackend, State
from tests.state.helpers import record


class HeldFirstWrite(LocalStateBackend):
    """The local backend, with its first checkpoint held until the test lets it go."""

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.release = threading.Event()
        self.entered = threading.Event()
        self.calls: list[set[str]] = []

    def checkpoint(self, state: State, changed: Collection[str]) -> State:
        self.calls.append(set(changed))
        if len(self.calls) == 1:
            self.entered.set()
            assert self.release.wait(10)
        return super().checkpoint(state, changed)


@pytest.mark.timeout(20)
def test_voices_waiting_for_a_write_share_the_next_one(tmp_path: Path) -> None:
    path = tmp_path / "reconciler.state.json"
    backend = HeldFirstWrite(path)
    start = backend.write(backend.read())
    checkpointer = Checkpointer(backend, start)
    names = [f"v{i}" for i in range(8)]
    seen_after_return: dict[str, bool] = {}

    def put(name: str) -> None:
        checkpointer.put(record(name))
        # Returned: it must be stored, as any other reader sees it.
        seen_after_return[name] = name in LocalStateBackend(path).read().voices

    first = threading.Thread(target=put, args=(names[0],))
    first.start()
    assert backend.entered.wait(10)
    others = [threading.Thread(target=put, args=(name,)) for name in names[1:]]
    for thread in others:
        thread.start()
    # Every other voice has handed its change over (and waits) before the first write ends.
    while any(checkpointer.record(name) is None for name in names):
        pass
    assert seen_after_return == {}
    backend.release.set()
    for thread in [first, *others]:
        thread.join(10)

    assert backend.calls == [{names[0]}, set(names[1:])]
    assert seen_after_return == dict.fromkeys(names, True)
    assert LocalStateBackend(path).read().serial == start.serial + 2 == checkpointer.state.serial


def test_observed_changes_are_stored_in_one_write(tmp_path: Path) -> None:
    backend = LocalStateBackend(tmp_path / "reconciler.state.json")
    start = backend.write(
        backend.read().with_records({f"v{i}": record(f"v{i}") for i in range(50)})
    )
    checkpointer = Checkpointer(backend, start)
    for i in range(50):
        checkpointer.observe(f"v{i}", asset_id=f"asset-{i}")
    assert LocalStateBackend(backend.path).read().serial == start.serial  # nothing written yet
    checkpointer.flush()
    checkpointer.flush()  # nothing left: no second write
    stored = LocalStateBackend(backend.path).read()
    assert stored.serial == start.serial + 1 and checkpointer.writes == 1
    assert {r.asset_id for r in stored.voices.values()} == {f"asset-{i}" for i in range(50)}


def test_a_failed_write_fails_its_callers_and_keeps_nothing(tmp_path: Path) -> None:
    path = tmp_path / "reconciler.state.json"
    backend = LocalStateBackend(path)
    start = backend.write(backend.read())
    checkpointer = Checkpointer(backend, start)
    other = LocalStateBackend(path)
    other.write(other.read())  # another writer: the next checkpoint must refuse
    with pytest.raises(Exception, match="this run read serial 1"):
        checkpointer.put(record("lost"))
    assert checkpointer.record("lost") is None
