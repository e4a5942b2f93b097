"""Reading many large YAML files on every core.

Parsing and schema validation are pure Python and hold the GIL: a cold 100,000-voice
configuration spends most of its ~46 CPU-seconds there, one file after another, while the
other cores idle. The files are independent until assembly, so large ones are read in
worker processes (spawned: the parent may have threads running, which forking would copy
mid-lock). Small configurations, where starting a worker costs more than it saves, are read
here as before; so is everything if the workers cannot be had.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TypeVar

R = TypeVar("R")

# Below this much YAML, a worker's start (an interpreter and the schema libraries, ~0.5 s)
# costs more than it saves; a 10,000-voice file is about 800 KB.
PARALLEL_BYTES = 4 << 20


def workers_for(files: Sequence[Path]) -> int:
    """How many processes are worth starting for ``files`` (1: read them here)."""
    if len(files) < 2:
        return 1
    try:
        total = sum(file.stat().st_size for file in files)
    except OSError:
        return 1
    if total < PARALLEL_BYTES:
        return 1
    return max(1, min(len(files), len(os.sched_getaffinity(0))))


def read_files(files: Sequence[Path], read: Callable[[Path], R]) -> dict[Path, R]:
    """``read`` of each file, in order; ``read`` must be picklable (a module's function)."""
    workers = workers_for(files)
    if workers > 1:
        # No worker, a worker lost, a result it cannot send: read here instead, slower,
        # with the same result (or the same error, raised here).
        with contextlib.suppress(Exception):
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                return dict(zip(files, pool.map(read, files), strict=True))
    return {file: read(file) for file in files}
