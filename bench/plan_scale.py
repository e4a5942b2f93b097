"""Plan at scale: ``reconciler plan`` with refresh over N recorded voices, as users run it.

Each N gets a generated project (bench/project.py: N premium voices sharing one small
package, a state file recording every voice as submitted and trained, and N matching SUCCEED
jobs seeded into an emulator running in its own process), so the plan comes out as "No
changes". The plan runs as ``python -m reconciler plan --detailed-exitcode`` in a child
process: wall time from spawn to exit and that process's peak RSS; the API calls come from
the emulator's counters.

Twice per N: with the client's default rate limits (the published 20 queries/s, what a user
gets) and with ``provider.rate_limits`` set to 0 (off), which shows the tool's own cost.

The reference is what Terraform-like tools do: one read per resource. That is measured too,
as N ``show_job`` calls through the same client library, serially and ten at a time
(Terraform's default -parallelism), and computed at the published limit of 20 queries/s;
above 10,000 voices it is only computed (100,000 calls would take minutes and prove
nothing new).
"""

from __future__ import annotations

import math
import sys
import time
from concurrent.futures import ThreadPoolExecutor
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
    run_child,
)
from bench.emulator_process import EmulatorProcess, bench_client
from bench.plan_stages import plan_stages, stages_table
from bench.project import LIMITS, project_env, seeded_project, write_config

SIZES = {"tiny": (20,), "full": (100, 10_000, 100_000)}
REPEATS = {"tiny": 1, "full": 3}
LARGE_REPEATS = 1  # above 10,000 voices: each run takes about a minute under the limits
PER_RESOURCE_MAX = 10_000  # the one-call-per-resource baseline is measured up to here
TARGET_N = 10_000
TARGET_SECONDS = 5.0
FLOOR_N = 100_000
FLOOR_FACTOR = 1.25  # the plan may take this much longer than the rate limit alone
PUBLISHED_QUERY_RATE = 20.0  # queries per second per tenant (API doc), burst one second's worth
TERRAFORM_PARALLELISM = 10


def allowed_calls(n: int) -> int:
    return math.ceil(n / 100) + 2


def rate_limit_floor(calls: int) -> float:
    """Least time ``calls`` queries take at the published limit, after a full burst."""
    return max(0.0, calls - PUBLISHED_QUERY_RATE) / PUBLISHED_QUERY_RATE


def plan_once(root: Path, emulator: EmulatorProcess) -> dict[str, Any]:
    emulator.reset_stats()
    env = project_env(root)
    argv = [sys.executable, "-m", "reconciler", "plan", "--detailed-exitcode"]
    server_cpu = cpu_seconds(emulator.pid)
    result = run_child(argv, cwd=root, env=env).check(0)  # 0: no changes
    server_cpu = cpu_seconds(emulator.pid) - server_cpu
    if "No changes." not in result.stdout:
        raise RuntimeError(f"the generated project does not plan as no-op:\n{result.stdout[:2000]}")
    return {
        "seconds": result.seconds,
        "cpu_seconds": result.cpu_seconds,
        "emulator_cpu_seconds": server_cpu,
        "peak_rss_bytes": result.max_rss_bytes,
        "calls": emulator.operations(),
    }


def per_resource(emulator: EmulatorProcess, job_ids: list[str], parallelism: int) -> float:
    """Seconds for one show_job per resource, the way Terraform-like refresh reads them."""
    with bench_client(emulator.base_url) as client:
        client.show_job(job_ids[0])  # connect and warm up outside the clock
        emulator.reset_stats()
        started = time.perf_counter()
        if parallelism == 1:
            for job_id in job_ids:
                client.show_job(job_id)
        else:
            with ThreadPoolExecutor(max_workers=parallelism) as pool:
                list(pool.map(client.show_job, job_ids))
        seconds = time.perf_counter() - started
    calls = emulator.operations()
    if calls.get("show_job") != len(job_ids):
        raise RuntimeError(f"expected {len(job_ids)} show_job calls, the emulator saw {calls}")
    return seconds


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    calls = runs[-1]["calls"]
    return {
        "seconds": [r["seconds"] for r in runs],
        "seconds_median": median([r["seconds"] for r in runs]),
        "cpu_seconds_median": median([r["cpu_seconds"] for r in runs]),
        "emulator_cpu_seconds_median": median([r["emulator_cpu_seconds"] for r in runs]),
        "peak_rss_bytes": max(r["peak_rss_bytes"] for r in runs),
        "api_calls": sum(calls.values()),
        "api_calls_by_operation": calls,
    }


def measure(n: int, repeats: int, with_stages: bool) -> dict[str, Any]:
    with seeded_project(f"plan-{n}", n) as seeded:
        root, emulator, generate_seconds = seeded.root, seeded.emulator, seeded.generate_seconds
        first = plan_once(root, emulator)  # warm-up: digest cache, page cache, .pyc files
        variants = {}
        for name, limits in LIMITS.items():
            if limits != LIMITS["default"]:
                write_config(root, n, emulator.base_url, limits)
                plan_once(root, emulator)  # untimed: the changed file fills the config cache
            variants[name] = summarise([plan_once(root, emulator) for _ in range(repeats)])
        serial = parallel = None
        if n <= PER_RESOURCE_MAX:
            serial = per_resource(emulator, seeded.job_ids, 1)
            parallel = per_resource(emulator, seeded.job_ids, TERRAFORM_PARALLELISM)
        write_config(root, n, emulator.base_url, LIMITS["default"])
        stages = plan_stages(root, emulator.base_url) if with_stages else []
    return {
        "voices": n,
        "generate_seconds": generate_seconds,
        "first_run_seconds": first["seconds"],
        "plan": variants,
        "api_calls_allowed": allowed_calls(n),
        "rate_limit_floor_seconds": rate_limit_floor(variants["default"]["api_calls"]),
        "per_resource_calls": n,
        "per_resource_serial_seconds": serial,
        "per_resource_parallel_seconds": parallel,
        "per_resource_parallelism": TERRAFORM_PARALLELISM,
        "per_resource_at_published_limit_seconds": rate_limit_floor(n),
        "stages": stages,
    }


def _or_not_run(seconds: float | None) -> float | str:
    return "not run" if seconds is None else seconds


def run(size: str, out_dir: Path) -> dict[str, Any]:
    began = begin()
    sizes = SIZES[size]
    results = [
        measure(n, REPEATS[size] if n <= 10_000 else LARGE_REPEATS, with_stages=n == sizes[-1])
        for n in sizes
    ]
    plan_rows = [
        [
            r["voices"],
            limits,
            v["seconds_median"],
            v["cpu_seconds_median"],
            v["emulator_cpu_seconds_median"],
            v["peak_rss_bytes"] / 1e6,
            v["api_calls"],
            r["api_calls_allowed"],
            r["rate_limit_floor_seconds"] if limits == "default" else 0.0,
        ]
        for r in results
        for limits, v in r["plan"].items()
    ]
    baseline_rows = [
        [
            r["voices"],
            r["plan"]["default"]["api_calls"],
            r["plan"]["default"]["seconds_median"],
            r["plan"]["off"]["seconds_median"],
            r["per_resource_calls"],
            _or_not_run(r["per_resource_serial_seconds"]),
            _or_not_run(r["per_resource_parallel_seconds"]),
            r["per_resource_at_published_limit_seconds"],
            r["per_resource_at_published_limit_seconds"] / r["plan"]["default"]["seconds_median"],
        ]
        for r in results
    ]
    largest = results[-1]
    tables = [
        Table(
            "`reconciler plan` with refresh, no changes (median of warm runs)",
            [
                "voices",
                "rate limits",
                "plan s",
                "plan CPU s",
                "emulator CPU s",
                "peak RSS MB",
                "API calls",
                "allowed",
                "rate-limit floor s",
            ],
            plan_rows,
        ),
        Table(
            "Against one API call per resource (Terraform-like refresh)",
            [
                "voices",
                "our calls",
                "ours s (limits on)",
                "ours s (limits off)",
                "1/resource calls",
                "serial s (off)",
                f"x{TERRAFORM_PARALLELISM} s (off)",
                "1/resource at 20/s s",
                "speedup at 20/s",
            ],
            baseline_rows,
        ),
        Table(
            f"Where the time goes at {largest['voices']:,} voices (in-process, one run each)",
            ["stage", "seconds", "share"],
            stages_table(largest["stages"]),
        ),
    ]
    targets = [
        Target(
            f"API calls at N={r['voices']:,}",
            f"<= ceil(N/100)+2 = {r['api_calls_allowed']}",
            str(r["plan"]["default"]["api_calls"]),
            r["plan"]["default"]["api_calls"] <= r["api_calls_allowed"],
        )
        for r in results
    ]
    for r in results:
        if r["voices"] == FLOOR_N:
            seconds = r["plan"]["default"]["seconds_median"]
            floor = r["rate_limit_floor_seconds"]
            targets.insert(
                0,
                Target(
                    f"plan of {FLOOR_N:,} voices, published rate limits",
                    f"<= {FLOOR_FACTOR}x the rate-limit floor = {FLOOR_FACTOR * floor:.1f} s",
                    f"{seconds:.1f} s ({seconds / floor:.2f}x; median of "
                    f"{len(r['plan']['default']['seconds'])} warm runs)",
                    seconds <= FLOOR_FACTOR * floor,
                ),
            )
        if r["voices"] == TARGET_N:
            seconds = r["plan"]["off"]["seconds_median"]
            targets.insert(
                0,
                Target(
                    f"plan of {TARGET_N:,} voices, rate limits off",
                    f"< {TARGET_SECONDS:.0f} s",
                    f"{seconds:.2f} s (median of {REPEATS[size]} warm runs)",
                    seconds < TARGET_SECONDS,
                ),
            )
    summary = Summary(
        benchmark="plan",
        size=size,
        began=began,
        tables=tables,
        results={"sizes": results},
        targets=targets,
        notes=[
            "plan = `python -m reconciler plan --detailed-exitcode` in a child process, wall "
            "time spawn to exit (interpreter start included), after one untimed warm-up run; "
            "the digest cache is warm (the premium voices share one package)",
            "rate limits 'default' = the client's published limits (query 20/s, burst 20), "
            "what a user gets; 'off' = `provider.rate_limits: {query: 0, ...}` in the config. "
            "rate-limit floor = (calls - 20) / 20 s, the least time the calls can take",
            "the emulator runs in its own process; 'emulator CPU s' is its CPU time during "
            "the plan (serving list_jobs pages)",
            "1/resource = N show_job calls through the same client, rate limits off, serially "
            f"and {TERRAFORM_PARALLELISM} at a time (measured up to N = {PER_RESOURCE_MAX:,}); "
            "'1/resource at 20/s' = (N - 20) / 20 s",
            f"above N = 10,000 each variant is the median of {LARGE_REPEATS} warm run(s); "
            "after a config change (rate limits on/off) one untimed run refills the config cache",
        ],
    )
    report(summary, out_dir)
    return summary.to_json()
