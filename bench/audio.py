"""Audio analysis: measuring 1 h of 48 kHz speech against ``sha256sum`` and ``sox --stats``.

``sha256sum`` is the floor for reading the bytes; ``sox ... -n stats`` is what a user would
run by hand to see levels. The recording is speech-like (reconciler.speechlike), written
as 30 files of 2 minutes (full) or 20 s in all (tiny); all tools read from the page cache.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from bench.common import MIB, Summary, Table, Target, begin, median, report, run_child, scratch_dir

SIZES = {"tiny": (2, 10.0, 1), "full": (30, 120.0, 3)}  # files, seconds each, repeats
RATE = 48000


def analyse_all(files: list[Path]) -> tuple[float, int]:
    from reconciler.data.audio import analyse

    started = time.perf_counter()
    read = 0
    for path in files:
        with path.open("rb") as stream:
            read += analyse(stream, 16)[1]
    return time.perf_counter() - started, read


def run(size: str, out_dir: Path) -> dict[str, Any]:
    from reconciler.speechlike import pcm16, steady_long_signal

    began = begin()
    count, seconds, repeats = SIZES[size]
    with scratch_dir("audio") as scratch:
        files = []
        for index in range(count):
            path = scratch / f"take{index}.wav"
            path.write_bytes(pcm16(steady_long_signal(seconds, RATE), RATE))
            files.append(path)
        total = sum(p.stat().st_size for p in files)
        names = [str(p) for p in files]
        run_child(["sha256sum", *names]).check()  # untimed: pages now cached
        sox = shutil.which("sox")
        ours, sha, soxes, read = [], [], [], 0
        for _ in range(repeats):
            sha.append(run_child(["sha256sum", *names]).check().seconds)
            if sox:
                soxes.append(sum(run_child([sox, n, "-n", "stats"]).check().seconds for n in names))
            elapsed, read = analyse_all(files)
            ours.append(elapsed)
    r: dict[str, Any] = {
        "audio_seconds": count * seconds,
        "bytes": total,
        "analysis_bytes_read": read,
        "analysis_seconds": ours,
        "sha256sum_seconds": sha,
        "sox_stats_seconds": soxes,
        "sox": sox or "sox not found",
        "analysis_mib_s": total / MIB / median(ours),
        "ratio_to_sha256sum": median(ours) / median(sha),
        "ratio_to_sox": median(ours) / median(soxes) if soxes else None,
    }
    rows = [
        ["sha256sum (median)", median(sha), total / MIB / median(sha)],
        ["reconciler analysis (median)", median(ours), r["analysis_mib_s"]],
    ]
    if soxes:
        rows.append(
            ["sox FILE -n stats (median, summed)", median(soxes), total / MIB / median(soxes)]
        )
    summary = Summary(
        benchmark="audio",
        size=size,
        began=began,
        tables=[Table("measuring 48 kHz 16-bit speech", ["what", "seconds", "MiB/s"], rows)],
        results=r,
        targets=[
            Target(
                "analysis reads every byte once",
                f"{total:,} bytes",
                f"{read:,} bytes",
                read >= total - 44 * count and read <= total + 65536 * count,
            ),
            Target(
                "analysis time vs sha256sum (a read floor)",
                "report",
                f"{r['ratio_to_sha256sum']:.2f}x",
                True,
            ),
        ],
        notes=[
            f"{count} files of {seconds:g} s at 48 kHz ({total / MIB:,.0f} MiB); "
            f"median of {repeats} alternating runs; analysis in-process, the tools as children",
            "sox not found: install it (apt-get install -y sox) for the comparison"
            if not sox
            else "sox runs once per file (it has no multi-file stats), times summed",
        ],
    )
    report(summary, out_dir)
    return summary.to_json()
