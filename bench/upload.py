"""Package upload: the client's streaming PUT against ``curl -T``, and the client's memory.

The emulator runs as its own process (``reconciler emulator serve``), so the server's CPU is
not the client's. Every upload goes to a fresh presigned URL of a new job, and the job is
deleted right after, so at most one stored copy exists at a time. The client uploads from a
child process of its own (``python -m bench.upload_child``), whose peak RSS is its own.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import (
    MB,
    MIB,
    Summary,
    Table,
    Target,
    begin,
    cpu_seconds,
    median,
    report,
    run_child,
    scratch_dir,
)
from bench.emulator_process import EmulatorProcess, bench_client


@dataclass(frozen=True)
class Sizes:
    small: int  # a second size, for memory only
    large: int  # compared with curl, and memory
    repeats: int


SIZES = {"tiny": Sizes(1 * MIB, 2 * MIB, 1), "full": Sizes(256 * MIB, 1024 * MIB, 5)}
TARGET_RATIO = 0.8
TARGET_RSS_BYTES = 100 * MB
RSS_SPREAD_BYTES = 5 * MB  # "independent of size": the two peaks within this of each other
BLOCK = 4 * MIB


def write_random_file(path: Path, size: int) -> Path:
    """``size`` bytes of one random block repeated: incompressible enough, quick to write."""
    block = os.urandom(min(BLOCK, size))
    with path.open("wb") as out:
        remaining = size
        while remaining:
            out.write(block[:remaining])
            remaining -= min(len(block), remaining)
    return path


@contextmanager
def fresh_url(emulator: EmulatorProcess, label: str) -> Iterator[str]:
    """A package URL of a new premium job, fetched again through uploading-address-url."""
    with bench_client(emulator.base_url) as client:
        created = client.create_job(
            "ADVANCE",
            {"voice_name": label, "sex": "FEMALE", "language": "CN", "create_type": "PACKAGE"},
        )
        package = client.get_upload_urls(created.job_id).package
        assert package is not None
        try:
            yield package.value
        finally:
            client.delete_job(created.job_id)  # frees the stored object


def client_upload(emulator: EmulatorProcess, path: Path, label: str) -> dict[str, Any]:
    with fresh_url(emulator, label) as url:
        server_cpu = cpu_seconds(emulator.pid)
        argv = [sys.executable, "-m", "bench.upload_child", url, str(path)]
        child = run_child(argv).check()
        server_cpu = cpu_seconds(emulator.pid) - server_cpu
    line = json.loads(child.stdout.strip().splitlines()[-1])
    if line["bytes"] != path.stat().st_size:
        raise RuntimeError(f"the client sent {line['bytes']} bytes of {path.stat().st_size}")
    return {
        "seconds": line["seconds"],
        "process_seconds": child.seconds,
        "cpu_seconds": child.cpu_seconds,
        "server_cpu_seconds": server_cpu,
        "vm_hwm_bytes": line["vm_hwm_bytes"],
        "vm_hwm_before_upload_bytes": line["vm_hwm_before_bytes"],
        "max_rss_bytes": child.max_rss_bytes,
    }


def curl_upload(emulator: EmulatorProcess, path: Path, label: str) -> dict[str, Any]:
    with fresh_url(emulator, label) as url:
        server_cpu = cpu_seconds(emulator.pid)
        argv = [
            "curl",
            "-sS",
            "-T",
            str(path),
            "-H",
            "Content-Type: application/zip",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code} %{time_total} %{size_upload}",
            url,
        ]
        child = run_child(argv).check()
        server_cpu = cpu_seconds(emulator.pid) - server_cpu
    status, seconds, sent = child.stdout.split()
    if status != "200" or int(float(sent)) != path.stat().st_size:
        raise RuntimeError(f"curl upload failed: HTTP {status}, {sent} bytes sent")
    return {
        "seconds": float(seconds),
        "process_seconds": child.seconds,
        "cpu_seconds": child.cpu_seconds,
        "server_cpu_seconds": server_cpu,
        "max_rss_bytes": child.max_rss_bytes,
    }


def measure(sizes: Sizes) -> dict[str, Any]:
    curl = shutil.which("curl")
    with scratch_dir("upload") as scratch, EmulatorProcess(scratch / "emulator") as emulator:
        small = write_random_file(scratch / "small.bin", sizes.small)
        small_run = client_upload(emulator, small, "upload-small")
        small.unlink()  # keep no more than one source file and one stored copy on disk
        large = write_random_file(scratch / "large.bin", sizes.large)
        # Untimed: the first large write of a fresh emulator also pays for page-cache growth.
        client_upload(emulator, large, "upload-warm-up-client")
        if curl:
            curl_upload(emulator, large, "upload-warm-up-curl")
        ours, theirs = [], []
        for attempt in range(sizes.repeats):
            ours.append(client_upload(emulator, large, f"upload-client-{attempt}"))
            if curl:
                theirs.append(curl_upload(emulator, large, f"upload-curl-{attempt}"))
    client_seconds = median([r["seconds"] for r in ours])
    result: dict[str, Any] = {
        "small_bytes": sizes.small,
        "large_bytes": sizes.large,
        "curl": curl or "curl not found",
        "client_runs": ours,
        "curl_runs": theirs,
        "small_run": small_run,
        "client_mib_s": sizes.large / MIB / client_seconds,
        "client_peak_rss_small_bytes": small_run["vm_hwm_bytes"],
        "client_peak_rss_large_bytes": max(r["vm_hwm_bytes"] for r in ours),
    }
    if theirs:
        curl_seconds = median([r["seconds"] for r in theirs])
        result["curl_mib_s"] = sizes.large / MIB / curl_seconds
        result["ratio"] = curl_seconds / client_seconds
    return result


def run(size: str, out_dir: Path) -> dict[str, Any]:
    began = begin()
    sizes = SIZES[size]
    r = measure(sizes)
    large_mib, small_mib = sizes.large / MIB, sizes.small / MIB
    columns = [
        "upload",
        "MiB",
        "seconds (median)",
        "MiB/s",
        "process s",
        "CPU s",
        "server CPU s",
        "peak RSS MB",
    ]

    def row(label: str, mib: float, runs: list[dict[str, Any]], rss_key: str) -> list[Any]:
        seconds = median([x["seconds"] for x in runs])
        return [
            label,
            mib,
            seconds,
            mib / seconds,
            median([x["process_seconds"] for x in runs]),
            median([x["cpu_seconds"] for x in runs]),
            median([x["server_cpu_seconds"] for x in runs]),
            max(x[rss_key] for x in runs) / MB,
        ]

    rows = [row("client (reconciler)", large_mib, r["client_runs"], "vm_hwm_bytes")]
    if r["curl_runs"]:
        rows.append(row("curl -T", large_mib, r["curl_runs"], "max_rss_bytes"))
    rows.append(row("client (reconciler)", small_mib, [r["small_run"]], "vm_hwm_bytes"))
    rss_small, rss_large = r["client_peak_rss_small_bytes"], r["client_peak_rss_large_bytes"]
    targets = []
    if "ratio" in r:
        targets.append(
            Target(
                f"client throughput vs curl -T ({large_mib:,.0f} MiB)",
                f">= {TARGET_RATIO}x",
                f"{r['ratio']:.2f}x ({r['client_mib_s']:,.0f} vs {r['curl_mib_s']:,.0f} MiB/s)",
                r["ratio"] >= TARGET_RATIO,
            )
        )
    else:
        targets.append(Target("client throughput vs curl -T", ">= 0.8x", "curl not found", False))
    targets.append(
        Target(
            "client peak RSS",
            f"< {TARGET_RSS_BYTES / MB:.0f} MB and independent of size",
            f"{rss_small / MB:.1f} MB ({small_mib:,.0f} MiB) vs {rss_large / MB:.1f} MB "
            f"({large_mib:,.0f} MiB)",
            max(rss_small, rss_large) < TARGET_RSS_BYTES
            and abs(rss_large - rss_small) <= RSS_SPREAD_BYTES,
        )
    )
    summary = Summary(
        benchmark="upload",
        size=size,
        began=began,
        tables=[Table("One package PUT to the emulator's object store", columns, rows)],
        results=r,
        targets=targets,
        notes=[
            "seconds = inside the transfer (client: around MetaStudioClient.upload in "
            "`python -m bench.upload_child`; curl: its own %{time_total}); 'process s' adds "
            "process start (the client's interpreter and imports)",
            "the emulator (`reconciler emulator serve`, its own process) md5s, writes and "
            "fsyncs every byte: 'server CPU s' is its CPU time during the upload",
            f"peak RSS: the client child's VmHWM after the upload; curl's from wait4; "
            f"'independent of size' = within {RSS_SPREAD_BYTES / MB:.0f} MB; median of "
            f"{sizes.repeats} alternating runs after one untimed upload each, every upload to "
            "a fresh URL of a new job",
        ],
    )
    report(summary, out_dir)
    return summary.to_json()
