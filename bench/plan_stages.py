"""Where a plan's time goes: each stage of ``reconciler plan`` timed alone, in-process.

The same steps the command takes (commands/plan.py -> load_workspace -> plan_under_lock ->
build_plan -> render), called one by one on a generated project so that each gets its own
clock. No profiler runs, so the numbers are not inflated; interpreter start and imports are
timed as a separate child process. A warm plan takes its config from the cache; what parsing
and assembling the YAML would cost (a cold plan, or a changed file) is shown indented, apart
from the total.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from bench.common import AK, SK, child_env, run_child
from bench.emulator_process import bench_client

T = TypeVar("T")


def _timed(stages: list[tuple[str, float]], name: str, step: Callable[[], T]) -> T:
    started = time.perf_counter()
    value = step()
    stages.append((name, time.perf_counter() - started))
    return value


def plan_stages(root: Path, endpoint: str) -> list[tuple[str, float]]:
    """(stage, seconds) for the project at ``root``, whose config names ``endpoint``."""
    from reconciler.config.assemble import assemble
    from reconciler.config.check import config_files, load_config
    from reconciler.config.loader import load_yaml
    from reconciler.config.schema import validate_document
    from reconciler.data import DigestCache, default_cache_dir, preflight
    from reconciler.operations.clients import cloud_clients
    from reconciler.operations.desired import config_digest, desired_voices
    from reconciler.operations.workspace import Workspace
    from reconciler.plan.planner import PlanOptions, make_plan
    from reconciler.refresh import refresh
    from reconciler.state import LocalStateBackend
    from reconciler.views.plan_formats import render

    stages: list[tuple[str, float]] = []
    start = run_child([sys.executable, "-m", "reconciler", "--version"], env=child_env()).check()
    stages.append(("start + imports: `reconciler --version` (child)", start.seconds))
    _, files = config_files(root)
    docs = []
    for file in files:
        doc, _ = _timed(
            stages, "  (cold: YAML parse with marks, config/loader.py)", partial(load_yaml, file)
        )
        assert doc is not None
        _timed(
            stages,
            "  (cold: JSON Schema validation, config/schema.py)",
            partial(validate_document, doc),
        )
        docs.append(doc)
    _timed(
        stages,
        "  (cold: assemble VoiceSpecs, config/assemble.py)",
        lambda: assemble(root, docs, files, clean=True),
    )
    environ = {
        "HUAWEICLOUD_SDK_AK": AK,
        "HUAWEICLOUD_SDK_SK": SK,
        "RECONCILER_CACHE_DIR": str(root / ".cache"),
    }
    cache_dir = default_cache_dir(root, environ)
    load_config(root, cache_dir=cache_dir)  # as the warm-up plan left it
    config = _timed(
        stages,
        "config from the cache (config/cache.py)",
        partial(load_config, root, cache_dir=cache_dir),
    )
    _timed(stages, "preflight data checks (data/preflight.py)", lambda: preflight(config))
    workspace = Workspace(
        config=config,
        backend=LocalStateBackend(config.state_path),
        cache=DigestCache(cache_dir),
        clients=cloud_clients(config, environ, root),
    )
    state = _timed(stages, "state read (state/backends/local.py)", workspace.backend.read)
    desired = _timed(
        stages,
        "digests, desired specs (plan/desired.py)",
        lambda: desired_voices(config, workspace.cache, state.lineage),
    )
    ids = [r.job_id for r in state.voices.values() if r.job_id]
    with workspace.client() as client:
        observed = _timed(
            stages, "refresh, as configured (plan/refresh.py)", lambda: refresh(client, ids, [])
        )
    with bench_client(endpoint) as client:
        _timed(stages, "  (refresh again, rate limits off)", lambda: refresh(client, ids, []))
    options = PlanOptions(
        config_digest=config_digest(config, workspace.cache), created_at="2026-01-01"
    )
    plan = _timed(
        stages,
        "make_plan (plan/planner.py, decide.py, diff.py)",
        lambda: make_plan(desired, state, observed, options),
    )
    _timed(stages, "render text (plan/render.py)", lambda: render(plan, "text"))
    merged: dict[str, float] = {}
    for name, seconds in stages:
        merged[name] = merged.get(name, 0.0) + seconds
    return list(merged.items())


def stages_table(stages: list[tuple[str, float]]) -> list[list[Any]]:
    counted = sum(s for name, s in stages if not name.startswith("  "))
    rows: list[list[Any]] = [
        [name, seconds, "" if name.startswith("  ") else f"{100 * seconds / counted:.0f}%"]
        for name, seconds in stages
    ]
    rows.append(["total (warm: without the indented rows)", counted, "100%"])
    return rows
