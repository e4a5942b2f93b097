"""A real emulator whose jobs move only when a test says so, seeded jobs, and fake time."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from reconciler.emulator import Emulator
from reconciler.metastudio import MetaStudioClient
from reconciler.state import State
from tests.metastudio.conftest import emulator_config, make_client
from tests.state.helpers import record


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[Emulator]:
    config = emulator_config(tmp_path / "emulator", tts_delay_seconds=-1.0)
    with Emulator(config, host="127.0.0.1", port=0) as emu:
        yield emu


@pytest.fixture
def client(emulator: Emulator) -> Iterator[MetaStudioClient]:
    with make_client(emulator.base_url) as c:
        yield c


class FakeTime:
    """A clock that only moves when something sleeps, and the list of those sleeps."""

    def __init__(self, on_sleep: Callable[[float], object] | None = None) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []
        self.on_sleep = on_sleep

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        if self.on_sleep is not None:
            self.on_sleep(seconds)


def seed(emulator: Emulator, **states: str) -> dict[str, str]:
    """One job per voice name in the given state; returns name -> job id."""
    ids = emulator.seed_jobs(
        [
            {"job_id": f"job-{name}", "state": state, "voice_name": name.title()}
            for name, state in states.items()
        ]
    )
    return dict(zip(states, ids, strict=True))


def state_of(jobs: dict[str, str], phase: str = "submitted") -> State:
    state = State.new()
    for name, job_id in jobs.items():
        state = state.with_voice(record(name, job_id=job_id, phase=phase))
    return state
