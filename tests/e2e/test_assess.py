"""`reconciler assess` and `plan --assess` end to end on real speech: the CLI in-process, the
emulator on loopback, short jobs counted through the emulator's stats (never mocked)."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from reconciler.emulator import Emulator, Tenant
from tests import real_speech as speech
from tests.audio_fixtures import SHORT_TAKES
from tests.e2e.conftest import Project, config_head
from tests.metastudio.conftest import AK, SK, emulator_config

VOICES = """\
  clean:
    edition: basic
    voice_name: Clean
    data: {{dir: data/clean}}
  noisy:
    edition: basic
    voice_name: Noisy
    data: {{dir: data/noisy}}
  resampled:
    edition: basic
    voice_name: Resampled
    data: {{dir: data/resampled}}
"""


def write_voice(folder: Path, change: Callable[[np.ndarray], bytes] = speech.pcm16) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(20):
        (folder / f"{index}.wav").write_bytes(change(speech.take(index, seed=index)))
        (folder / f"{index}.txt").write_text(speech.transcript(index), encoding="utf-8")


def with_noise(samples: np.ndarray) -> bytes:
    """Noise 5 dB under the speech's level: the review's SNR rule (15 dB) cannot pass."""
    level = float(np.sqrt(np.mean(samples[np.abs(samples) > 1e-3] ** 2)))
    rng = np.random.default_rng(7)
    return speech.pcm16(samples + rng.normal(0.0, level * 10 ** (-5 / 20), samples.size))


def resampled(samples: np.ndarray) -> bytes:
    return speech.converted(speech.pcm16(samples), "-r", "44100")


MakeProject = Callable[..., Project]


@pytest.fixture
def make_project(tmp_path: Path) -> Iterator[MakeProject]:
    emulators: list[Emulator] = []

    def make(
        seconds_per_state: float = 0.0, voices: str = VOICES, tenant: Tenant = SHORT_TAKES
    ) -> Project:
        config = emulator_config(
            tmp_path / "emulator", seconds_per_state=seconds_per_state, tenant=tenant
        )
        emulator = Emulator(config, host="127.0.0.1", port=0).start()
        emulators.append(emulator)
        root = tmp_path / "project"
        write_voice(root / "data" / "clean")
        write_voice(root / "data" / "noisy", with_noise)
        write_voice(root / "data" / "resampled", resampled)
        environ = {
            "HUAWEICLOUD_SDK_AK": AK,
            "HUAWEICLOUD_SDK_SK": SK,
            "RECONCILER_CACHE_DIR": str(tmp_path / "cache"),
        }
        project = Project(root, emulator, environ)
        project.write_config(config_head() + voices)
        return project

    yield make
    for emulator in emulators:
        emulator.stop()


def short_jobs(project: Project) -> Counter[str]:
    operations = project.admin("GET", "/stats")["operations"]  # the emulator's own count
    return Counter({k: v for k, v in operations.items() if "short_job" in k or k == "object_put"})


def table(stdout: str) -> dict[str, list[str]]:
    """The rows of the assess table by figure: service, expected, status, preflight."""
    rows = {}
    for line in stdout.splitlines():
        cells = [c for c in line.strip().split("  ") if c.strip()]
        if len(cells) == 5 and cells[0] != "figure":
            rows[cells[0]] = [c.strip() for c in cells[1:]]
    return rows


def test_assess_shows_the_services_verdict_beside_the_preflights(
    make_project: MakeProject,
) -> None:
    project = make_project()
    code, out, err = project.run("assess", "voice.clean")
    assert (code, err) == (0, "")
    head = out.splitlines()[0]
    assert head.startswith("voice.clean: ") and " s sample from 0.wav, 1.wav, " in head
    seconds = float(head.split(": ")[1].split(" s sample")[0])
    assert 10 <= seconds <= 60  # the tenant's short_assess range (op 17)
    rows = table(out)
    assert rows["snr"][1:3] == [">= 15 dB", "ok"]
    assert rows["sound"][2] == "ok"
    assert rows["snr"][3].endswith(" dB") and rows["sound"][3].endswith(" dBFS")  # preflight
    assert short_jobs(project) == {
        "create_short_job": 1,
        "object_put": 1,
        "commit_short_job": 1,
        "show_short_job": 1,
    }
    assert project.jobs() == []  # nothing trained, nothing spent
    assert not project.state_path.exists()  # the state is neither read nor written


def test_noisy_speech_is_out_of_range_on_snr(make_project: MakeProject) -> None:
    project = make_project()
    code, out, err = project.run("assess", "voice.noisy")
    assert (code, err) == (0, "")
    assert table(out)["snr"][2] == "out of range"
    assert "snr: Too much background noise" in out

    code, out, _ = project.run("assess", "voice.noisy", "--format", "json")
    assert code == 0
    [voice] = json.loads(out)["voices"]
    assert voice["cached"] is True  # the same data: no second short job
    assert voice["service"]["state"] == "SUCCEED"
    assert voice["service"]["assess_result"]["snr"]["status"] == 1
    assert voice["preflight"]["figures"]["snr"].endswith(" dB")
    assert [f["name"] for f in voice["preflight"]["files"]] == [
        p["source"] for p in voice["sample"]["pieces"]
    ]
    assert short_jobs(project)["create_short_job"] == 1
    code, out, _ = project.run("assess", "voice.noisy", "--again")
    assert code == 0 and "cached" not in out
    assert short_jobs(project)["create_short_job"] == 2  # asked for: a new short job


def test_plan_assess_runs_one_short_job_per_data(make_project: MakeProject) -> None:
    project = make_project(voices=VOICES.split("  noisy:")[0])
    code, out, err = project.run("plan", "--assess")
    assert code == 0, err
    assert "# service assessment (" in out and "snr " in out and "(expected >= 15 dB)" in out
    [ours] = [line for line in out.splitlines() if "# preflight on the same recordings" in line]
    assert re.search(r" snr -?[0-9]+\.[0-9] dB(,|$)", ours), ours
    assert short_jobs(project)["create_short_job"] == 1

    code, out, _ = project.run("plan", "--assess", "--format", "json")
    assert code == 0
    [change] = json.loads(out)["resource_changes"]
    assert any(n.startswith("service assessment (") for n in change["notes"])
    assert any("from .reconciler/assess" in n for n in change["notes"])
    code, out, _ = project.run("plan", "--assess", "--format", "markdown")
    assert code == 0 and "service assessment (" in out
    code, out, _ = project.run("assess", "voice.clean")
    assert code == 0 and "cached)" in out.splitlines()[0]
    assert short_jobs(project)["create_short_job"] == 1  # four runs, one short job

    [record] = (project.root / ".reconciler" / "assess").glob("*.json")
    kept = record.read_text("utf-8")
    assert "http" not in kept and SK not in kept and AK not in kept
    assert project.jobs() == []  # plan --assess creates no training job

    # A record that cannot be read is no verdict: the data is assessed again.
    record.write_text("{not json", encoding="utf-8")
    assert project.run("plan", "--assess")[0] == 0
    assert short_jobs(project)["create_short_job"] == 2
    assert json.loads(record.read_text("utf-8"))["state"] == "SUCCEED"

    # New data is new: its verdict is asked for once.
    (project.root / "data" / "clean" / "0.wav").write_bytes(speech.pcm16(speech.take(0, seed=99)))
    assert project.run("plan", "--assess")[0] == 0
    assert short_jobs(project)["create_short_job"] == 3
    assert project.run("plan")[0] == 0  # without --assess, nothing is asked
    assert short_jobs(project)["create_short_job"] == 3


def test_a_voice_that_cannot_be_assessed_says_why_and_the_plan_stands(
    make_project: MakeProject,
) -> None:
    durations = {"basic_min": 0, "short_assess_min": 1000, "short_assess_max": 2000}
    project = make_project(
        voices=VOICES.split("  noisy:")[0], tenant=Tenant.from_dict({"durations": durations})
    )
    code, out, err = project.run("plan", "--assess", "--detailed-exitcode")
    assert code == 2, err  # the plan itself, with its change
    assert "# service assessment not available: the recordings last " in out
    assert "a sample of 1000 to 2000 s" in out
    assert "Plan: 1 to create" in out
    assert short_jobs(project)["create_short_job"] == 0


def test_plan_assess_needs_the_service(make_project: MakeProject) -> None:
    project = make_project()
    code, out, err = project.run("plan", "--assess", "--refresh=false")
    assert (code, out) == (1, "")
    assert err.count("\n") == 1 and "--assess" in err


def test_a_wait_that_times_out_is_one_line_and_is_picked_up_later(
    make_project: MakeProject,
) -> None:
    project = make_project(seconds_per_state=-1.0)  # short jobs move only when told
    code, out, err = project.run("assess", "voice.clean", "--timeout", "0.2")
    assert (code, out) == (1, "")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "voice.clean: the service's assessment did not finish" in err
    assert "run the same command again" in err
    [record] = (project.root / ".reconciler" / "assess").glob("*.json")
    job_id = json.loads(record.read_text("utf-8"))["job_id"]
    assert job_id in err
    project.emulator.advance_short_job(job_id)
    code, out, err = project.run("assess", "voice.clean")
    assert (code, err) == (0, "")
    assert job_id in out.splitlines()[0]
    assert short_jobs(project)["create_short_job"] == 1


def test_a_failed_short_job_is_one_line_and_exit_1(make_project: MakeProject) -> None:
    project = make_project()
    code, out, err = project.run("assess", "voice.resampled", "voice.clean", ".")
    assert code == 1
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "voice.resampled: the service's assessment failed: short job " in err
    assert "FAILED (MSS.20020011: 0.wav: audio format is incorrect" in err
    assert "voice.clean" not in err
    failed, clean = out.split("\n\n")
    assert "the service's assessment failed: FAILED" in failed  # the table says it too
    assert clean.startswith("voice.clean: ") and table(clean)["snr"][2] == "ok"


def test_unknown_voices_are_a_usage_error(make_project: MakeProject) -> None:
    project = make_project()
    code, _, err = project.run("assess", "voice.missing")
    assert code == 1 and "voice.missing is not a voice in the configuration" in err
    assert short_jobs(project)["create_short_job"] == 0
