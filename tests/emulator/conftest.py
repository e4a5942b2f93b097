"""An in-process emulator on a free loopback port, per test, in tmp_path."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from reconciler.emulator import Credential, Emulator, EmulatorConfig
from tests.audio_fixtures import SHORT_TAKES
from tests.emulator.helpers import AK, OTHER_PROJECT, OTHER_TOKEN, PROJECT, SK, TOKEN, Api

MakeEmulator = Callable[..., Emulator]


def config(data_dir: Path, **overrides: Any) -> EmulatorConfig:
    settings: dict[str, Any] = {
        "data_dir": data_dir,
        "credentials": [Credential(ak=AK, sk=SK, project_id=PROJECT)],
        "tokens": {TOKEN: PROJECT, OTHER_TOKEN: OTHER_PROJECT},
        "tenant": SHORT_TAKES,
        **overrides,
    }
    return EmulatorConfig(**settings)


@pytest.fixture
def make_emulator(tmp_path: Path) -> Iterator[MakeEmulator]:
    started: list[Emulator] = []

    def make(**overrides: Any) -> Emulator:
        data_dir = overrides.pop("data_dir", tmp_path / "data")
        port = overrides.pop("port", 0)
        emulator = Emulator(config(data_dir, **overrides), port=port).start()
        started.append(emulator)
        return emulator

    yield make
    for emulator in started:
        emulator.stop()


@pytest.fixture
def emu(make_emulator: MakeEmulator) -> Emulator:
    return make_emulator()


@pytest.fixture
def api(emu: Emulator) -> Api:
    return Api(emu.base_url)
