"""Training-data digests: cold throughput against ``sha256sum``, and a warm re-plan.

The dataset is real training data by the product's own rules, so that ``reconciler plan``
accepts it: advanced voices of 100 sentence pairs (full size: 10 voices, 1,000 WAVs of about
1 MiB, 1 GiB in all) or one basic voice of 20 pairs (tiny). Audio is speech-like (speechlike.py).

Both tools read from the page cache: there is no dropping it without root, so one untimed
``sha256sum`` pass reads everything first and the timed runs alternate between the two.
"""

from __future__ import annotations

import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import (
    AK,
    MIB,
    PROJECT,
    SK,
    Summary,
    Table,
    Target,
    begin,
    child_env,
    median,
    report,
    run_child,
    scratch_dir,
    wait_until_settled,
)
from bench.emulator_process import EmulatorProcess


@dataclass(frozen=True)
class Dataset:
    total_bytes: int
    edition: str
    voices: int
    pairs: int  # sentence pairs per voice
    repeats: int


SIZES = {
    "tiny": Dataset(12 * MIB, "basic", 1, 20, 1),
    "full": Dataset(1024 * MIB, "advanced", 10, 100, 3),
}
TARGET_RATIO = 0.9
# The one format MetaStudio's review, and so the preflight, accepts: 48 kHz 16-bit mono.
SAMPLE_RATES = (48000,)


def sentence_rate(wav_bytes: int) -> int:
    """The allowed sample rate that keeps a 16-bit mono sentence within 5 to 15 s."""
    for rate in SAMPLE_RATES:
        if 5.0 <= wav_bytes / (2 * rate) <= 15.0:
            return rate
    raise ValueError(f"no sample rate makes {wav_bytes} bytes a 5-15 s sentence")


def write_dataset(root: Path, spec: Dataset) -> tuple[list[Path], list[Path]]:
    """(voice folders, every file) of ``spec``, each WAV speech-like so preflight accepts it."""
    from reconciler.speechlike import TEXTS, pcm16, steady_signal

    wav_bytes = spec.total_bytes // (spec.voices * spec.pairs)
    samples = (wav_bytes - 44) & ~1
    rate = sentence_rate(samples)
    variants = [pcm16(steady_signal(samples / 2 / rate, rate, seed), rate) for seed in range(5)]
    folders, files = [], []
    for voice in range(spec.voices):
        folder = root / f"voice{voice:02d}"
        folder.mkdir(parents=True)
        folders.append(folder)
        for index in range(spec.pairs):
            wav = folder / f"{index}.wav"
            wav.write_bytes(variants[(voice + index) % len(variants)])
            text = folder / f"{index}.txt"
            text.write_text(TEXTS["CN"].format(index=index) + "\n", encoding="utf-8")
            files += [wav, text]
    return folders, files


def sha256sum(root: Path, files: list[Path]) -> tuple[float, dict[str, str]]:
    """Seconds for one ``sha256sum`` over every file, and its digests by relative name."""
    names = [str(f.relative_to(root)) for f in files]
    result = run_child(["sha256sum", "--", *names], cwd=root).check()
    digests = {}
    for line in result.stdout.splitlines():
        digest, _, name = line.partition("  ")
        digests[name] = digest
    return result.seconds, digests


def openssl_dgst(root: Path, files: list[Path]) -> float | None:
    """Seconds for ``openssl dgst -sha256`` over every file (a second reference), if present."""
    if shutil.which("openssl") is None:
        return None
    names = [str(f.relative_to(root)) for f in files]
    return run_child(["openssl", "dgst", "-sha256", *names], cwd=root).check().seconds


def digest_all(folders: list[Path], cache_dir: Path) -> tuple[float, Any]:
    """Seconds for data_digest over every voice folder with the cache at ``cache_dir``."""
    from reconciler.config.model import DataSource
    from reconciler.data import DigestCache, data_digest

    cache = DigestCache(cache_dir)
    started = time.perf_counter()
    for folder in folders:
        data_digest(DataSource(kind="dir", path=folder, declared=folder.name), cache)
    return time.perf_counter() - started, cache


def write_project(root: Path, folders: list[Path], edition: str, endpoint: str) -> None:
    lines = [
        "version: 1",
        "provider:",
        f"  endpoint: {endpoint}",
        f"  project_id: {PROJECT}",
        "defaults:",
        "  sex: FEMALE",
        "  language: CN",
        # What is measured is reading and hashing, not whether the dataset is long enough.
        "  checks: {min_total_seconds: 1, advised_total_seconds: 1}",
        "voices:",
    ]
    for folder in folders:
        lines += [
            f"  {folder.name}:",
            f"    edition: {edition}",
            f"    voice_name: {folder.name}",
            f"    data: {{dir: data/{folder.name}}}",
        ]
    (root / "voices.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def plan_child(root: Path, cache_dir: Path) -> tuple[float, int | None]:
    """(seconds, bytes the process read from any file) of ``reconciler plan``."""
    env = child_env(
        {
            "HUAWEICLOUD_SDK_AK": AK,
            "HUAWEICLOUD_SDK_SK": SK,
            "RECONCILER_CACHE_DIR": str(cache_dir),
            "NO_COLOR": "1",
        }
    )
    argv = [sys.executable, "-m", "reconciler", "plan", "--detailed-exitcode"]
    result = run_child(argv, cwd=root, env=env).check(2)  # 2: changes (voices to create)
    return result.seconds, result.read_chars


def plan_bytes_read(root: Path, cache_dir: Path) -> dict[str, int]:
    """Preflight and the plan pipeline in-process, to read the cache's own counters (audio
    measurements and digests share them)."""
    from reconciler.data import preflight
    from reconciler.operations.clients import cloud_clients
    from reconciler.operations.plan import PlanRequest, build_plan
    from reconciler.operations.workspace import Workspace

    environ = {"RECONCILER_CACHE_DIR": str(cache_dir)}
    workspace = Workspace.load(root, environ, lambda c: cloud_clients(c, environ, root))
    preflight(workspace.config, cache=workspace.cache)
    build_plan(workspace, workspace.backend.read(), None, PlanRequest(), "2026-01-01T00:00:00Z")
    cache = workspace.cache
    return {"bytes_read": cache.bytes_read, "hits": cache.hits, "misses": cache.misses}


def measure(spec: Dataset) -> dict[str, Any]:
    with scratch_dir("digest") as scratch:
        project = scratch / "project"
        started = time.perf_counter()
        folders, files = write_dataset(project / "data", spec)
        generate_seconds = time.perf_counter() - started
        wait_until_settled(files)
        data_root = project / "data"
        total = sum(f.stat().st_size for f in files)
        _, reference = sha256sum(data_root, files)  # untimed: both tools now read cached pages
        ours, theirs, openssl = [], [], []
        cache = None
        for attempt in range(spec.repeats):
            theirs.append(sha256sum(data_root, files)[0])
            if (seconds_openssl := openssl_dgst(data_root, files)) is not None:
                openssl.append(seconds_openssl)
            cache_dir = scratch / f"cache-{attempt}"
            seconds, cache = digest_all(folders, cache_dir)
            ours.append(seconds)
            if attempt < spec.repeats - 1:
                shutil.rmtree(cache_dir)
        assert cache is not None
        cold = {"bytes_read": cache.bytes_read, "hits": cache.hits, "misses": cache.misses}
        mismatched = [
            f.name
            for f in files[:: max(1, len(files) // 50)]
            if cache.file_digest(f) != reference[str(f.relative_to(data_root))]
        ]
        if mismatched:
            raise RuntimeError(f"digests differ from sha256sum for {mismatched[:5]}")
        warm_cache_dir = scratch / f"cache-{spec.repeats - 1}"
        warm_seconds, warm = digest_all(folders, warm_cache_dir)
        with EmulatorProcess(scratch / "emulator") as emulator:
            write_project(project, folders, spec.edition, emulator.base_url)
            plan_cache = scratch / "plan-cache"
            cold_plan = plan_child(project, plan_cache)
            warm_plan = plan_child(project, plan_cache)
            in_process = plan_bytes_read(project, plan_cache)
            in_process_cold = plan_bytes_read(project, scratch / "plan-cache-cold")
    return {
        "dataset_bytes": total,
        "files": len(files),
        "voices": spec.voices,
        "generate_seconds": generate_seconds,
        "sha256sum_seconds": theirs,
        "data_digest_seconds": ours,
        "openssl_dgst_seconds": openssl,
        "sha256sum_mib_s": total / MIB / median(theirs),
        "openssl_dgst_mib_s": total / MIB / median(openssl) if openssl else None,
        "data_digest_mib_s": total / MIB / median(ours),
        "ratio": median(theirs) / median(ours),
        "cold_cache": cold,
        "warm_digest_seconds": warm_seconds,
        "warm_cache": {"bytes_read": warm.bytes_read, "hits": warm.hits, "misses": warm.misses},
        "plan_cold_seconds": cold_plan[0],
        "plan_cold_process_read_bytes": cold_plan[1],
        "plan_cold_training_data_bytes_read": in_process_cold["bytes_read"],
        "plan_warm_seconds": warm_plan[0],
        "plan_warm_process_read_bytes": warm_plan[1],
        "plan_warm_training_data_bytes_read": in_process["bytes_read"],
        "plan_warm_cache": in_process,
    }


def run(size: str, out_dir: Path) -> dict[str, Any]:
    began = begin()
    spec = SIZES[size]
    r = measure(spec)
    mib = r["dataset_bytes"] / MIB
    columns = ["what", "seconds", "MiB/s", "training-data bytes read", "process read (MiB)"]
    rows = [
        [
            "sha256sum (median)",
            median(r["sha256sum_seconds"]),
            r["sha256sum_mib_s"],
            r["dataset_bytes"],
            "-",
        ],
        [
            "openssl dgst -sha256 (median; extra reference)",
            median(r["openssl_dgst_seconds"]) if r["openssl_dgst_seconds"] else "not found",
            r["openssl_dgst_mib_s"] or "-",
            r["dataset_bytes"],
            "-",
        ],
        [
            "data_digest, cold cache (median)",
            median(r["data_digest_seconds"]),
            r["data_digest_mib_s"],
            r["cold_cache"]["bytes_read"],
            "-",
        ],
        [
            "data_digest, warm cache",
            r["warm_digest_seconds"],
            "-",
            r["warm_cache"]["bytes_read"],
            "-",
        ],
        [
            "reconciler plan, cold cache",
            r["plan_cold_seconds"],
            "-",
            r["plan_cold_training_data_bytes_read"],
            (r["plan_cold_process_read_bytes"] or 0) / MIB,
        ],
        [
            "reconciler plan, warm cache",
            r["plan_warm_seconds"],
            "-",
            r["plan_warm_training_data_bytes_read"],
            (r["plan_warm_process_read_bytes"] or 0) / MIB,
        ],
    ]
    targets = [
        Target(
            "cold digest throughput vs sha256sum",
            f">= {TARGET_RATIO}x",
            f"{r['ratio']:.2f}x ({r['data_digest_mib_s']:,.0f} vs "
            f"{r['sha256sum_mib_s']:,.0f} MiB/s)",
            r["ratio"] >= TARGET_RATIO,
        ),
        Target(
            "warm re-plan reads of training data (digest cache counter)",
            "0 bytes",
            f"{r['plan_warm_training_data_bytes_read']:,} bytes "
            f"({r['plan_warm_cache']['hits']:,} cache hits)",
            r["plan_warm_training_data_bytes_read"] == 0 and r["warm_cache"]["bytes_read"] == 0,
        ),
    ]
    summary = Summary(
        benchmark="digest",
        size=size,
        began=began,
        tables=[
            Table("sha256 of the training data, and re-planning with a warm cache", columns, rows)
        ],
        results=r,
        targets=targets,
        notes=[
            f"dataset: {r['files']:,} files, {mib:,.1f} MiB, {r['voices']} voice folder(s) "
            "of sentence pairs; both tools read from the page cache (one untimed sha256sum "
            f"pass first), median of {spec.repeats} alternating runs",
            "sha256sum: one invocation over every file, timed spawn to exit; data_digest: "
            "in-process, each run with a new empty cache folder (cache records are written)",
            "plan rows: `python -m reconciler plan --detailed-exitcode` against an emulator; "
            "'process read' is the child's rchar (every byte read from any file: Python "
            "modules, config, state, cache records, preflight's WAV header reads); the warm "
            "row's training-data bytes come from the digest cache's counter, in-process",
        ],
    )
    report(summary, out_dir)
    return summary.to_json()
