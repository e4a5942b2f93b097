"""The project the plan and apply benchmarks generate: its voices are split into files the
config loader accepts (it refuses a file of over MAX_NODES values), so that catalogues of
100,000 voices can be configured at all."""

from __future__ import annotations

from pathlib import Path

from bench.project import VOICES_PER_FILE, write_project
from reconciler.config.loader import MAX_NODES, load_yaml
from reconciler.state import LocalStateBackend


def test_voices_are_split_into_files_the_loader_accepts(tmp_path: Path) -> None:
    n = VOICES_PER_FILE + 1
    # write_project loads the config it wrote (InvalidConfig if the loader refused a file).
    jobs = write_project(tmp_path, n, "http://127.0.0.1:9")
    files = sorted(tmp_path.glob("voices-*.yaml"))
    assert [file.name for file in files] == ["voices-000.yaml", "voices-001.yaml"]
    assert [file.read_text().count("\n    edition: premium\n") for file in files] == [
        VOICES_PER_FILE,
        1,
    ]
    full, diagnostics = load_yaml(files[0])
    assert not diagnostics and full is not None
    assert len(full.data["voices"]) == VOICES_PER_FILE
    assert VOICES_PER_FILE * 4 < full.values <= MAX_NODES  # each voice is 4 fields and more
    state = LocalStateBackend(tmp_path / "reconciler.state.json").read()
    assert len(state.voices) == n
    assert {job["job_id"] for job in jobs} == {r.job_id for r in state.voices.values()}
    assert len(jobs) == n
