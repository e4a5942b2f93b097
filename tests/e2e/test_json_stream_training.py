"""`apply --wait --json` while the emulator trains on its own: training in the stream."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.emulator import Emulator
from tests.e2e.conftest import Project, config_head
from tests.e2e.test_json_stream import by_addr, of, stream
from tests.metastudio.conftest import emulator_config

ONE_VOICE = (
    config_head(sex_and_language=False)
    + """\
  solo:
    edition: basic
    voice_name: Solo
    sex: FEMALE
    language: CN
    data: {{dir: data/basic}}
    preview: {{text: 晚上好这里是新闻}}
"""
)


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[Emulator]:
    """Overrides conftest's emulator (and so `project`) for this module: jobs move by time."""
    config = emulator_config(tmp_path / "emulator", seconds_per_state=0.05)
    with Emulator(config, host="127.0.0.1", port=0) as emu:
        yield emu


def test_apply_wait_streams_training_and_previews(project: Project) -> None:
    project.write_config(ONE_VOICE)
    code, messages, _ = stream(
        project, "apply", "--auto-approve", "--wait", "--poll-interval", "0.05"
    )
    assert code == 0
    training = [
        m["hook"]["reconciler_training"]["state"]
        for m in of(messages, "apply_progress")
        if "reconciler_training" in m["hook"]
    ]
    assert training[-1] == "SUCCEED"
    assert any("preview saved" in m["@message"] for m in of(messages, "log"))
    final = by_addr(messages, "refresh_complete")["voice.solo"]["hook"]["reconciler_status"]
    assert final["state"] == "SUCCEED"
    assert final["preview"]
