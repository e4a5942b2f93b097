"""A real emulator on a loopback port, and a client pointed at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.emulator import Credential, Emulator, EmulatorConfig
from reconciler.metastudio import AkSkCredentials, MetaStudioClient, RateLimits, RetryPolicy
from tests.audio_fixtures import SHORT_TAKES

AK = "HPUAEXAMPLEAK0000001"
SK = "test-secret-key-never-printed-0123456789"
PROJECT = "3f0924078d1b471c884a5383d4dec9fa"
TOKEN = "test-token-never-printed-abcdef"


def emulator_config(data_dir: Path, **overrides: object) -> EmulatorConfig:
    settings: dict[str, object] = {
        "data_dir": data_dir,
        "credentials": [Credential(ak=AK, sk=SK, project_id=PROJECT)],
        "tokens": {TOKEN: PROJECT},
        "seconds_per_state": -1.0,  # only the admin endpoints move jobs, unless a test says so
        "tts_delay_seconds": 0.0,
        "tenant": SHORT_TAKES,
    }
    settings.update(overrides)
    return EmulatorConfig(**settings)  # type: ignore[arg-type]


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[Emulator]:
    with Emulator(emulator_config(tmp_path / "emulator"), host="127.0.0.1", port=0) as emu:
        yield emu


class RecordingSleep:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def make_client(base_url: str, **kwargs: object) -> MetaStudioClient:
    client = MetaStudioClient.connect(
        base_url,
        AkSkCredentials(AK, SK, PROJECT),
        retry=RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.05),
        rate_limits=RateLimits.unlimited(),
        **kwargs,  # type: ignore[arg-type]
    )
    client.transport.sleep = RecordingSleep()
    return client


@pytest.fixture
def client(emulator: Emulator) -> Iterator[MetaStudioClient]:
    with make_client(emulator.base_url) as c:
        yield c
