"""Large configurations are parsed and validated in worker processes, with the same result."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reconciler.config import InvalidConfig, load_config, parallel
from reconciler.config.parallel import read_files, workers_for

HEAD = "version: 1\nprovider:\n  region: cn-north-4\n  project_id: p\n"


def pid_of(file: Path) -> int:
    return os.getpid()


def catalogue(root: Path, files: int, per_file: int) -> None:
    (root / "voices.yaml").write_text(HEAD)
    for f in range(files):
        voices = "".join(
            f"  v{f}-{i}:\n    edition: basic\n    voice_name: Voice {f} {i}\n"
            f"    data: {{dir: data}}\n"
            for i in range(per_file)
        )
        (root / f"voices-{f}.yaml").write_text(f"version: 1\nvoices:\n{voices}")


@pytest.fixture
def small_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_BYTES", 1)


def test_small_configurations_are_read_here(tmp_path: Path) -> None:
    catalogue(tmp_path, 3, 10)
    files = sorted(tmp_path.glob("*.yaml"))
    assert workers_for(files) == 1
    assert set(read_files(files, pid_of).values()) == {os.getpid()}


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one core: read here")
def test_large_ones_in_other_processes(tmp_path: Path, small_threshold: None) -> None:
    catalogue(tmp_path, 3, 10)
    files = sorted(tmp_path.glob("*.yaml"))
    pids = read_files(files, pid_of)
    assert list(pids) == files
    assert os.getpid() not in pids.values()


def test_the_same_configuration_either_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "config").mkdir()
    catalogue(tmp_path / "config", 3, 50)
    here = load_config(tmp_path / "config", cache_dir=tmp_path / "cache-here")
    monkeypatch.setattr(parallel, "PARALLEL_BYTES", 1)
    spread = load_config(tmp_path / "config", cache_dir=tmp_path / "cache-spread")
    assert dict(spread.voices) == dict(here.voices)
    assert (spread.provider, spread.files) == (here.provider, here.files)


def test_errors_are_located_the_same_way(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    catalogue(tmp_path, 3, 50)
    broken = tmp_path / "voices-1.yaml"
    broken.write_text(broken.read_text().replace("basic", "platinum", 1).replace("{dir", "{dri", 2))
    messages = []
    for threshold in (1 << 40, 1):
        monkeypatch.setattr(parallel, "PARALLEL_BYTES", threshold)
        with pytest.raises(InvalidConfig) as raised:
            load_config(tmp_path, cwd=tmp_path, cache_dir=tmp_path / f"cache-{threshold}")
        messages.append(str(raised.value))
    assert messages[0] == messages[1]
    assert "voices-1.yaml:4:14" in messages[0] and "platinum" in messages[0]


def test_what_cannot_go_to_a_worker_is_read_here(tmp_path: Path, small_threshold: None) -> None:
    catalogue(tmp_path, 3, 10)
    files = sorted(tmp_path.glob("*.yaml"))
    assert read_files(files, lambda file: (file.name, os.getpid())) == {
        file: (file.name, os.getpid()) for file in files
    }
