"""What a real (non-editable) install gets: the package data, and a working emulator."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from this checkout, installed (without dependencies) into a folder."""
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "-q",
            "-w",
            str(out),
            str(REPO),
        ],
        check=True,
        timeout=300,
    )
    wheel = next(out.glob("metastudio_reconciler-*.whl"))
    target = out / "site"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    return target


def test_wheel_ships_schema_and_typing_marker(installed: Path) -> None:
    assert (installed / "reconciler" / "schemas" / "voices.schema.json").is_file()
    assert (installed / "reconciler" / "py.typed").is_file()
    entry_points = next(installed.glob("metastudio_reconciler-*.dist-info")) / "entry_points.txt"
    assert "reconciler = reconciler.cli:main" in entry_points.read_text()


def test_emulator_serves_from_the_installed_package(installed: Path, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(installed),  # the installed copy, not the checkout
        "HUAWEICLOUD_SDK_AK": "AK1",
        "HUAWEICLOUD_SDK_SK": "SK1",
        "HUAWEICLOUD_SDK_PROJECT_ID": "p1",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reconciler",
            "emulator",
            "serve",
            "--port",
            "0",
            "--data-dir",
            str(tmp_path / "data"),
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        first = server.stdout.readline()
        url = next(word for word in first.split() if word.startswith("http://127.0.0.1:"))
        response = requests.get(f"{url}/v1/p1/voice-training-manage/user/jobs", timeout=10)
        assert response.status_code == 401  # alive, and it wants a signature
        probe = subprocess.run(
            [sys.executable, "-c", "import reconciler; print(reconciler.__file__)"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        assert probe.stdout.startswith(str(installed))
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=10) == 0
