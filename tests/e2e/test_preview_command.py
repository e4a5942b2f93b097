"""reconciler preview end to end: refusals that say where training stands, then real WAVs."""

from __future__ import annotations

from pathlib import Path

from reconciler.wav import read_wav_info
from tests.e2e.conftest import Project
from tests.e2e.status_helpers import apply, config, operations, train


def _duration(path: Path) -> float:
    with path.open("rb") as stream:
        return read_wav_info(stream).duration_seconds


def test_preview_refuses_until_trained_then_downloads_wavs(project: Project) -> None:
    jobs = apply(project, "alpha")
    code, _, err = project.run("preview", "voice.alpha", "--text", "hi", "--out", "out")
    assert code == 1
    assert (
        f"voice.alpha is not trained yet: job {jobs['alpha']} is SYSTEM_AUDITING "
        "(wait for it with `reconciler status --wait --target voice.alpha`)"
    ) in err
    assert "Synthesizing" not in err  # said only once the voice is known to be trained

    train(project, jobs["alpha"])
    code, out, err = project.run("preview", "voice.alpha", "--out", "out")  # text from YAML
    assert code == 0, err
    assert err.splitlines()[-1] == "Synthesizing an audition with voice.alpha..."
    assert out.splitlines()[1:] == ["  out/0.wav"]
    assert _duration(project.root / "out" / "0.wav") > 0

    code, out, err = project.run(
        "preview", "voice.alpha", "--text", "x" * 40, "--speed", "150", "--out", "louder"
    )
    assert code == 0, err
    assert _duration(project.root / "louder" / "0.wav") > 0
    assert operations(project)["create_tts_audition"] == 2


def test_preview_refusals_cost_nothing(project: Project) -> None:
    project.write_config(config("alpha", "beta"))
    code, _, err = project.run("preview", "voice.beta", "--text", "hi", "--out", "out")
    assert code == 1 and "cannot preview voice.beta: not created; run `reconciler apply`" in err
    code, _, err = project.run("preview", "voice.nope", "--text", "hi", "--out", "out")
    assert code == 1 and "voice.nope is not a voice in the configuration or the state" in err
    code, _, err = project.run("preview", "voice.beta", "--out", "out")
    assert code == 1 and "--text is required" in err
    assert "create_tts_audition" not in operations(project)


def test_preview_checks_its_options_before_paying(project: Project) -> None:
    jobs = apply(project, "alpha")
    train(project, jobs["alpha"])
    code, _, err = project.run("preview", "voice.alpha", "--volume", "500", "--out", "out")
    assert code == 1 and "argument --volume: must be from 90 to 240, got 500" in err
    assert "create_tts_audition" not in operations(project)
