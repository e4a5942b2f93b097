"""Data errors found while the refresh runs in the background still stop plan and apply."""

from __future__ import annotations

from tests.e2e.conftest import Project


def test_a_broken_recording_stops_plan_and_apply(project: Project) -> None:
    (project.root / "data" / "premium" / "recording.wav").write_bytes(b"RIFF not audio")
    for command in (["plan"], ["apply", "--auto-approve"]):
        code, out, err = project.run(*command)
        assert code == 1, out + err
        assert "recording.wav" in err and "Traceback" not in err
    assert project.jobs() == []
    assert not project.state_path.exists()
