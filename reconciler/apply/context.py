"""Everything a voice's steps need, shared by the executor's worker threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.apply.checkpoint import Checkpointer
from reconciler.apply.events import Reporter, SilentReporter
from reconciler.data.remote import RemoteObjects
from reconciler.metastudio import MetaStudioClient


@dataclass
class ApplyContext:
    client: MetaStudioClient
    checkpoint: Checkpointer
    work_dir: Path
    package_prefix: str  # see packages.py: package folders are named after the state
    reporter: Reporter = field(default_factory=SilentReporter)
    stop: threading.Event = field(default_factory=threading.Event)
    # Set with ``stop`` when a checkpoint found the lock force-unlocked: the voices it stops
    # failed (the state is another run's now), they were not interrupted by the user.
    lock_lost: bool = False
    segment_parallelism: int = 8
    remote: RemoteObjects = field(default_factory=RemoteObjects)  # object-store data reads
    # After an ambiguous create, how often and how long to look for the job it may have made.
    recovery_lookups: int = 3
    recovery_delay: float = 1.0
    sleep: Callable[[float], None] = time.sleep

    def known_job_ids(self) -> set[str]:
        return {r.job_id for r in self.checkpoint.state.voices.values() if r.job_id}
