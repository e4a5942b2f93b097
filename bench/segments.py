"""Segment uploads: a sentence-pair job uploaded serially and in parallel over a slow link.

Every request to the emulator (its own process) is delayed by an injected latency, which is
what a far-away object store and API feel like. Each run is ``UploadJob.run()`` on a fresh
SEGMENT job: per sentence the WAV PUT, the TXT PUT and the confirm call, exactly as apply
does it; only the segment parallelism differs. Client rate limits are off: this measures
parallelism, and the published limits would bound both runs alike.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import (
    Summary,
    Table,
    Target,
    begin,
    cpu_seconds,
    median,
    report,
    scratch_dir,
)
from bench.emulator_process import EmulatorProcess, bench_client


@dataclass(frozen=True)
class Setup:
    edition: str  # advanced (MIDDLE) takes 100 sentences, basic 20
    pairs: int
    latency: float  # seconds added to every request
    parallelism: tuple[int, ...]  # the first is the serial baseline, the last the target's
    repeats: int


SIZES = {
    "tiny": Setup("basic", 20, 0.005, (1, 16), 1),
    "full": Setup("advanced", 100, 0.02, (1, 4, 8, 16), 2),
}
TARGET_SPEEDUP = 4.0
SECONDS_PER_SENTENCE = 1.0  # the review hears no voice in shorter synthetic sentences
REQUESTS_PER_SENTENCE = 3  # audio PUT, text PUT, confirm


def upload_once(
    emulator: EmulatorProcess, folder: Path, setup: Setup, parallelism: int, work_dir: Path
) -> dict[str, Any]:
    from reconciler.apply.events import SilentReporter
    from reconciler.apply.uploads import UploadJob
    from reconciler.config.model import EDITIONS, DataSource, VoiceSpec

    voice = VoiceSpec(
        name=f"segments-{parallelism}",
        edition=setup.edition,
        voice_name=f"Segments x{parallelism}",
        data=DataSource(kind="segments", path=folder, declared="data"),
        sex="FEMALE",
        language="CN",
    )
    with bench_client(emulator.base_url) as client:
        created = client.create_job(EDITIONS[setup.edition].job_type, voice.api_fields())
        emulator.reset_stats()
        job = UploadJob(
            client=client,
            voice=voice,
            job_id=created.job_id,
            urls=created.uploads,
            reporter=SilentReporter(),
            work_dir=work_dir,
            package_prefix="package-bench-",  # segments need no package; never used
            stop=threading.Event(),
            segment_parallelism=parallelism,
        )
        server_cpu, client_cpu = cpu_seconds(emulator.pid), cpu_seconds()
        started = time.perf_counter()
        job.run()
        seconds = time.perf_counter() - started
        server_cpu = cpu_seconds(emulator.pid) - server_cpu
        client_cpu = cpu_seconds() - client_cpu
        calls = emulator.operations()
        confirmed = client.get_confirmed_segments(created.job_id)
    if confirmed != list(range(setup.pairs)):
        raise RuntimeError(f"only {len(confirmed)} of {setup.pairs} sentences were confirmed")
    return {
        "seconds": seconds,
        "client_cpu_seconds": client_cpu,
        "server_cpu_seconds": server_cpu,
        "calls": calls,
    }


def measure(setup: Setup) -> dict[str, Any]:
    from reconciler.speechlike import write_sentence_pairs

    faults = {"*": {"latency": setup.latency}}
    runs: dict[int, list[dict[str, Any]]] = {p: [] for p in setup.parallelism}
    with scratch_dir("segments") as scratch:
        folder = scratch / "data"
        write_sentence_pairs(folder, setup.pairs, SECONDS_PER_SENTENCE)
        with EmulatorProcess(scratch / "emulator", faults=faults) as emulator:
            for _ in range(setup.repeats):
                for parallelism in setup.parallelism:
                    runs[parallelism].append(
                        upload_once(emulator, folder, setup, parallelism, scratch)
                    )
    serial = median([r["seconds"] for r in runs[setup.parallelism[0]]])
    by_parallelism = [
        {
            "parallelism": p,
            "seconds": [r["seconds"] for r in runs[p]],
            "seconds_median": median([r["seconds"] for r in runs[p]]),
            "speedup": serial / median([r["seconds"] for r in runs[p]]),
            "client_cpu_seconds": median([r["client_cpu_seconds"] for r in runs[p]]),
            "server_cpu_seconds": median([r["server_cpu_seconds"] for r in runs[p]]),
            "calls": runs[p][-1]["calls"],
        }
        for p in setup.parallelism
    ]
    return {
        "edition": setup.edition,
        "pairs": setup.pairs,
        "latency_seconds": setup.latency,
        "requests_per_run": setup.pairs * REQUESTS_PER_SENTENCE,
        "serial_floor_seconds": setup.pairs * REQUESTS_PER_SENTENCE * setup.latency,
        "runs": by_parallelism,
    }


def run(size: str, out_dir: Path) -> dict[str, Any]:
    began = begin()
    setup = SIZES[size]
    r = measure(setup)
    columns = [
        "parallelism",
        "seconds (median)",
        "speedup",
        "object PUTs",
        "confirms",
        "other calls",
        "floor s",
        "client CPU s",
        "emulator CPU s",
    ]
    rows = []
    for run_ in r["runs"]:
        calls = dict(run_["calls"])
        puts, confirms = calls.pop("object_put", 0), calls.pop("confirm_segment", 0)
        waves = -(-setup.pairs // run_["parallelism"])  # sentences each worker does, at most
        floor = waves * REQUESTS_PER_SENTENCE * setup.latency
        rows.append(
            [
                run_["parallelism"],
                run_["seconds_median"],
                run_["speedup"],
                puts,
                confirms,
                sum(calls.values()),
                floor,
                run_["client_cpu_seconds"],
                run_["server_cpu_seconds"],
            ]
        )
    best = r["runs"][-1]
    targets = [
        Target(
            f"speedup of parallelism {best['parallelism']} over serial",
            f">= {TARGET_SPEEDUP:.0f}x",
            f"{best['speedup']:.1f}x ({r['runs'][0]['seconds_median']:.2f} s -> "
            f"{best['seconds_median']:.2f} s)",
            best["speedup"] >= TARGET_SPEEDUP,
        )
    ]
    summary = Summary(
        benchmark="segments",
        size=size,
        began=began,
        tables=[Table("UploadJob over a SEGMENT job, by segment parallelism", columns, rows)],
        results=r,
        targets=targets,
        notes=[
            f"{r['pairs']} sentence pairs ({SECONDS_PER_SENTENCE} s 48 kHz WAV + TXT), "
            f"{r['edition']} edition SEGMENT job, {setup.latency * 1000:.0f} ms latency "
            "injected on every emulator request (FaultPlan {'*': {'latency': ...}})",
            "each run: UploadJob.run() on a fresh job, confirm calls included; client rate "
            "limits off (RateLimits.unlimited()): the benchmark measures parallelism, and "
            "the published limits would bound both runs alike",
            "floor = latency x 3 requests x sentences per worker (the most one worker does); "
            "CPU = the client's (this process) and the emulator's during the run; "
            f"median of {setup.repeats} run(s); 8 is the product's default parallelism",
        ],
    )
    report(summary, out_dir)
    return summary.to_json()
