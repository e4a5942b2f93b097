"""Data errors found while the refresh runs in the background still stop plan and apply."""

from __future__ import annotations

import os
import re

import pytest

from tests.e2e.conftest import FIVE_VOICES, Project


def test_a_broken_recording_stops_plan_and_apply(project: Project) -> None:
    (project.root / "data" / "premium" / "recording.wav").write_bytes(b"RIFF not audio")
    for command in (["plan"], ["apply", "--auto-approve"]):
        code, out, err = project.run(*command)
        assert code == 1, out + err
        assert "recording.wav" in err and "Traceback" not in err
    assert project.jobs() == []
    assert not project.state_path.exists()


EMBEDDED = "provider:\n  emulator: .reconciler/emulator\n"


@pytest.mark.parametrize("embedded", [False, True], ids=["endpoint", "embedded-emulator"])
@pytest.mark.parametrize("bad", ["description", "file-name"])
def test_text_that_cannot_be_encoded_stops_plan_and_apply(
    project: Project, bad: str, embedded: bool
) -> None:
    config = FIVE_VOICES
    if embedded:
        config = re.sub(r"provider:\n(  .*\n)+", EMBEDDED, config)
    if bad == "description":
        config = config.replace("    tag: NEWS\n", '    tag: NEWS\n    description: "\\ud800"\n')
        line = config.splitlines().index('    description: "\\ud800"') + 1
        expected = f"voices.yaml:{line}:18: voices.basic-dir.description: the text is not valid"
    else:
        (project.root / "data" / "basic" / os.fsdecode(b"\xff.wav")).write_bytes(b"RIFF")
        expected = "voices.basic-dir.data.dir: \\xff.wav: name is not valid UTF-8"
    project.write_config(config)
    for command in (["plan"], ["plan", "--refresh=false"], ["apply", "--auto-approve"]):
        code, out, err = project.run(*command)
        assert code == 1, out + err
        assert expected in err, err
        assert "unexpected" not in err and "Traceback" not in err
    assert project.jobs() == []
    assert not list((project.root / ".reconciler").rglob("shard-*.json"))  # embedded: no job
    assert not project.state_path.exists()
