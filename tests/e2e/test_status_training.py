"""status --wait while the emulator trains on its own (each state lasts 150 ms)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.emulator import Emulator
from reconciler.wav import read_wav_info
from tests.e2e.conftest import Project
from tests.e2e.status_helpers import apply, config, operations
from tests.metastudio.conftest import emulator_config


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[Emulator]:
    """Overrides conftest's emulator (and so `project`) for this module: jobs move by time."""
    config = emulator_config(tmp_path / "emulator", seconds_per_state=0.15)
    with Emulator(config, host="127.0.0.1", port=0) as emu:
        yield emu


def test_wait_until_trained_then_the_preview_is_made_once(project: Project) -> None:
    jobs = apply(project, "alpha", "beta")
    code, out, err = project.run("status", "--wait", "--poll-interval", "0.05", "--timeout", "20")
    assert code == 0, out + err
    # alpha may be trained already: apply paces its creates at one a second.
    assert re.search(r"^Waiting for [12] of 2 voices to finish training\.\.\.$", out, re.M)
    assert re.search(r"^voice\.beta: [A-Z_]+ -> SUCCEED$", out, re.M)
    assert "voice.alpha: preview saved: .reconciler/previews/alpha/0.wav" in out
    assert out.rstrip().endswith("2 voices: 2 SUCCEED.")
    folder = project.root / ".reconciler" / "previews" / "alpha"
    with (folder / "0.wav").open("rb") as stream:
        assert read_wav_info(stream).duration_seconds > 0
    voices = project.state()["voices"]
    marker = json.loads((folder / "preview.json").read_text())
    assert marker["asset_id"] == voices["alpha"]["asset_id"]
    assert marker["text"] == "Hello from alpha" and marker["files"] == ["0.wav"]
    assert {v["remote_state"] for v in voices.values()} == {"SUCCEED"}
    assert voices["alpha"]["job_id"] == jobs["alpha"]
    assert not (project.root / ".reconciler" / "previews" / "beta").exists()  # no preview.text

    serial = project.state()["serial"]
    code, out, _ = project.run("status", "--wait")  # the marker says it is done
    assert code == 0 and "preview: .reconciler/previews/alpha/0.wav" in out
    code, out, _ = project.run("status")
    assert code == 0 and "preview: .reconciler/previews/alpha/0.wav" in out
    assert operations(project)["create_tts_audition"] == 1
    assert project.state()["serial"] == serial  # nothing new observed: no write


def test_apply_wait_follows_training_to_the_end(project: Project) -> None:
    project.write_config(config("alpha", "beta"))
    code, out, err = project.run(
        "apply",
        "--auto-approve",
        "--target",
        "voice.alpha",
        "--wait",
        "--poll-interval",
        "0.05",
        "--timeout",
        "20",
    )
    assert code == 0, out + err
    assert "Apply complete: 1 created" in out
    assert re.search(r"^voice\.alpha: [A-Z_]+ -> SUCCEED$", out, re.M)
    assert out.rstrip().endswith("1 voice: 1 SUCCEED.")
    assert (project.root / ".reconciler" / "previews" / "alpha" / "0.wav").is_file()
    assert project.state()["voices"]["alpha"]["remote_state"] == "SUCCEED"
