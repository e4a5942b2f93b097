"""Every benchmark runs end to end at its tiny size, so none of them can rot unnoticed.

Only the shape and sanity of each JSON summary are checked here, never the targets: those
are for the full sizes, on a quiet machine (``python -m bench all``).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from bench.__main__ import main

SUMMARY_KEYS = {
    "benchmark",
    "size",
    "date",
    "command",
    "machine",
    "tables",
    "results",
    "targets",
    "targets_judged",
    "notes",
    "load_average_before",
    "seconds",
}


def run_tiny(name: str, out: Path) -> dict[str, Any]:
    assert main([name, "--size", "tiny", "--out", str(out)]) == 0
    summary: dict[str, Any] = json.loads((out / f"{name}.json").read_text())
    assert set(summary) >= SUMMARY_KEYS
    assert (summary["benchmark"], summary["size"], summary["targets_judged"]) == (
        name,
        "tiny",
        False,
    )
    assert summary["machine"]["nproc"] and summary["machine"]["cpu_model"]
    for table in summary["tables"]:
        assert table["rows"] and all(len(r) == len(table["columns"]) for r in table["rows"])
    assert summary["targets"] and all(
        {"name", "goal", "value", "met"} <= set(t) for t in summary["targets"]
    )
    return summary


def test_plan(tmp_path: Path) -> None:
    (size,) = run_tiny("plan", tmp_path)["results"]["sizes"]
    assert size["voices"] == 20
    for variant in ("default", "off"):
        plan = size["plan"][variant]
        assert 0 < plan["seconds_median"] < 30
        assert 1 <= plan["api_calls"] <= size["api_calls_allowed"] == 3
        # one page of jobs, and the tenant's duration limits for the data check (op 17)
        assert plan["api_calls_by_operation"] == {"list_jobs": 1, "show_tenant_duration_cfg": 1}
        assert 10e6 < plan["peak_rss_bytes"] < 1e9
    assert size["per_resource_serial_seconds"] > 0 and size["per_resource_parallel_seconds"] > 0
    stages = dict(size["stages"])
    assert all(seconds >= 0 for seconds in stages.values()) and len(stages) >= 10


def test_apply(tmp_path: Path) -> None:
    (size,) = run_tiny("apply", tmp_path)["results"]["sizes"]
    assert size["voices"] == 20
    assert size["no_op_sync"]["writes"] == 1  # every asset synced in one write
    assert 0 < size["no_op_sync"]["sync_phase_seconds"] < size["no_op_sync"]["seconds"] + 5
    (added,) = size["adds"]
    assert added["new"] == 2 and 2 <= added["checkpoints"] <= 8
    checkpoint = size["checkpoint"]
    assert not checkpoint["snapshot_rewritten"]
    assert 0 < checkpoint["bytes_per_checkpoint"] < checkpoint["snapshot_bytes"]


def test_digest(tmp_path: Path) -> None:
    results = run_tiny("digest", tmp_path)["results"]
    assert results["files"] == 40 and 12 << 20 <= results["dataset_bytes"] < 13 << 20
    assert results["cold_cache"]["bytes_read"] == results["dataset_bytes"]
    assert results["cold_cache"]["misses"] == 40
    assert results["warm_cache"] == {"bytes_read": 0, "hits": 40, "misses": 0}
    assert results["plan_warm_cache"]["bytes_read"] == 0
    # Cold: every file is hashed once, each distinct recording decoded once, each header and
    # transcript read once (their facts are then kept by content).
    cold = results["plan_cold_training_data_bytes_read"]
    assert results["dataset_bytes"] < cold < 2 * results["dataset_bytes"] + 40 * 4096
    assert results["plan_cold_process_read_bytes"] > results["dataset_bytes"]
    assert results["ratio"] > 0 and results["data_digest_mib_s"] > 0


def test_upload(tmp_path: Path) -> None:
    results = run_tiny("upload", tmp_path)["results"]
    assert results["large_bytes"] == 2 << 20
    assert results["client_mib_s"] > 0
    assert 10e6 < results["client_peak_rss_large_bytes"] < 1e9
    if results["curl_runs"]:
        assert results["ratio"] > 0
    else:
        assert results["curl"] == "curl not found"


def test_segments(tmp_path: Path) -> None:
    results = run_tiny("segments", tmp_path)["results"]
    assert [r["parallelism"] for r in results["runs"]] == [1, 16]
    for run_ in results["runs"]:
        assert run_["calls"] == {"object_put": 40, "confirm_segment": 20}
        assert run_["seconds_median"] >= results["serial_floor_seconds"] / 20


def test_audio(tmp_path: Path) -> None:
    results = run_tiny("audio", tmp_path)["results"]
    assert results["audio_seconds"] == 20 and results["bytes"] > 20 * 96000
    assert results["analysis_bytes_read"] >= results["bytes"] - 2 * 44
    assert results["ratio_to_sha256sum"] > 0
    if results["sox_stats_seconds"]:
        assert results["ratio_to_sox"] > 0
    else:
        assert results["sox"] == "sox not found"


@pytest.mark.skipif(shutil.which("git-lfs") is None, reason="needs git-lfs")
def test_lfs(tmp_path: Path) -> None:
    (size,) = run_tiny("lfs", tmp_path)["results"]["sizes"]
    assert size["voices"] == 20
    assert size["cold_plan_bytes"]["audio_bytes_read"] == 0
    assert size["cold_plan_bytes"]["pointer_bytes_read"] > 0  # it did read the pointers
    assert size["edited_plan_bytes"]["audio_bytes_read"] == 0
    assert size["apply_fetched_files"] == ["new000.zip", "new001.zip", "new002.zip"]
    assert size["apply_fetched_bytes"] > 3 * 100_000
    assert 1 <= size["cold_plan_calls"] <= 3


@pytest.mark.skipif(shutil.which("git-lfs") is None, reason="needs git-lfs")
def test_lfs_plans_only(tmp_path: Path) -> None:
    from bench import lfs_scale

    assert lfs_scale.main(["--size", "tiny", "--plans-only", "--out", str(tmp_path)]) == 0
    (size,) = json.loads((tmp_path / "lfs.json").read_text())["results"]["sizes"]
    assert size["cold_plan_bytes"]["audio_bytes_read"] == 0
    assert size["edited_plan_calls"] == size["cold_plan_calls"] >= 1
    assert size["cold_plan_cpu_seconds"] > 0
    assert "apply_seconds" not in size


def test_speech(tmp_path: Path) -> None:
    results = run_tiny("speech", tmp_path)["results"]
    assert set(results["shapes"]) == {"sentences", "long takes"}
    assert results["shapes"]["sentences"]["files"] == 2
    assert results["shapes"]["long takes"]["audio_seconds"] > 10
    assert results["analysis_seconds_per_hour"] > 0 and results["bare_seconds_per_hour"] > 0
    (bare,) = results["bare_inference_seconds"]
    assert set(bare) == {"vad", "dnsmos", "pitch"} and all(v > 0 for v in bare.values())


@pytest.mark.parametrize("argv", [["--help"], ["nonsense"]])
def test_the_command_line_rejects_or_explains(argv: list[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == (0 if argv == ["--help"] else 2)
