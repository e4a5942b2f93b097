"""Apply's state writes counted at two catalogue sizes: they must not grow with it.

Counted through what any reader sees: the serial (one per write) and the backup (the
snapshot a whole-file write replaced). Never timed.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from bench.project import succeeded_job, trained_record
from reconciler import speechlike
from reconciler.config.check import load_config
from reconciler.data import DigestCache
from reconciler.emulator import Emulator
from reconciler.operations.desired import desired_voices
from reconciler.state import LocalStateBackend, State
from tests.e2e.conftest import Project, config_head

HEAD = config_head(unlimited_rates=True)
VOICE = (
    "  v{i:04d}:\n    edition: premium\n    voice_name: Voice {i}\n"
    "    data: {{{{package: data/long.zip}}}}\n"
)


def catalogue(tmp_path: Path, emulator: Emulator, environ: dict[str, str], n: int) -> Project:
    """``n`` trained voices recorded in the state without their assets (MetaStudio made new
    ones since), and their SUCCEED jobs in the emulator."""
    root = tmp_path / f"catalogue-{n}"
    root.mkdir()
    speechlike.write_package(
        root / "data" / "long.zip", {"r.wav": speechlike.long_take_wav(1, 3.0)}
    )
    project = Project(root, emulator, environ)
    project.write_config(HEAD + "".join(VOICE.format(i=i) for i in range(n)))
    config = load_config(root, cwd=root)
    lineage = str(uuid.uuid4())
    desired = desired_voices(config, DigestCache(Path(environ["RECONCILER_CACHE_DIR"])), lineage)
    records, jobs = {}, []
    for name, voice in desired.items():
        job_id = f"job-{n}-{name}"
        records[name] = trained_record(name, voice.spec, job_id, asset_id="asset-before")
        jobs.append(succeeded_job(job_id, voice.spec["voice_name"]))
    LocalStateBackend(project.state_path).write(State(lineage=lineage, voices=records))
    project.admin("POST", "/jobs", jobs)
    return project


@pytest.fixture
def environ(project: Project) -> dict[str, str]:
    return project.environ


@pytest.mark.parametrize("n", [5, 60])
def test_a_no_op_apply_syncing_every_asset_writes_the_state_once(
    tmp_path: Path, emulator: Emulator, environ: dict[str, str], n: int
) -> None:
    project = catalogue(tmp_path, emulator, environ, n)
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0, out + err
    state = project.state()
    assert state["serial"] == 2, "one write for all the synced voices, not one per voice"
    assets = {job["job_id"]: job["asset_id"] for job in project.jobs()}
    assert all(
        assets[r["job_id"]] == r["asset_id"] != "asset-before" for r in state["voices"].values()
    )


@pytest.mark.parametrize("n", [30, 120])
def test_new_voices_checkpoint_without_rewriting_the_catalogue(
    tmp_path: Path, emulator: Emulator, environ: dict[str, str], n: int
) -> None:
    project = catalogue(tmp_path, emulator, environ, n)
    assert project.run("apply", "--auto-approve")[0] == 0  # the assets synced: serial 2
    config = (project.root / "voices.yaml").read_text()
    added = "".join(VOICE.format(i=i) for i in range(n, n + 2))
    (project.root / "voices.yaml").write_text(config + added.format(), encoding="utf-8")

    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0, out + err
    state = project.state()
    assert {state["voices"][f"v{i:04d}"]["phase"] for i in (n, n + 1)} == {"submitted"}
    # Four checkpoints per new voice (attempt, job ID, uploaded, submitted), fewer when
    # they share a write; and (the journal never outgrowing a snapshot of 30 or more
    # voices here) the snapshot was replaced once, when the run ended: the backup is
    # still the snapshot from before this apply.
    assert 2 + 2 <= state["serial"] <= 2 + 8
    backup = LocalStateBackend(project.state_path.with_name("reconciler.state.json.backup"))
    assert backup.read().serial == 2
