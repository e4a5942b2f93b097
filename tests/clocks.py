"""Clocks for runs that come later than the test's own writes.

A cache records only files that were settled when its run began (reconciler.file_identity):
a test that writes its data and runs at once would never see a warm run. Real runs come
seconds or days after the data was written; ``a_minute_later`` says so. Real edits, too,
come after the filesystem's clock has moved on; ``rewrite_in_place`` waits for that.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path


def a_minute_later() -> float:
    return time.time() + 60


def rewrite_in_place(path: Path, data: bytes) -> None:
    """Overwrite ``path`` with ``data`` of the same size, in the same inode, and set its
    atime and mtime back, as ``cp -p``, ``touch -r`` or an archive's extraction leave it."""
    before = path.stat()
    assert len(data) == before.st_size and path.read_bytes() != data
    _after_a_tick(before.st_ctime_ns, path.parent)
    with path.open("r+b") as stream:
        stream.write(data)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (
        before.st_ino,
        before.st_size,
        before.st_mtime_ns,
    )


def _after_a_tick(ctime_ns: int, folder: Path) -> None:
    """Return once a change made now gets a later ctime than ``ctime_ns``: the filesystem
    keeps time in ticks, and an edit within the tick of the first write is one no stat can
    tell (the "racily clean" case, covered by not recording such files)."""
    probe = folder / ".tick-probe"
    try:
        while True:
            probe.write_bytes(b"")
            if probe.stat().st_ctime_ns > ctime_ns:
                return
    finally:
        probe.unlink(missing_ok=True)


class ManualClock:
    """A clock that moves only when told: ``clock()`` is now, ``advance`` lets time pass."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start
        self._guard = threading.Lock()

    def __call__(self) -> float:
        with self._guard:
            return self.now

    def advance(self, seconds: float) -> None:
        with self._guard:
            self.now += seconds

    def sleeper(self, ticks: int) -> Sleeper:
        return Sleeper(self, ticks)


class Sleeper:
    """A timer thread's sleep that lets ``ticks`` pauses pass on the clock (each as long as
    asked), then lets no more: it idles a few real milliseconds a time until the thread is
    told to stop, so a test counts exactly the lines ``ticks`` pauses make."""

    def __init__(self, clock: ManualClock, ticks: int) -> None:
        self.clock = clock
        self.left = ticks
        self.done = threading.Event()  # set once every tick has been slept

    def __call__(self, seconds: float) -> None:
        if self.left > 0:
            self.left -= 1
            self.clock.advance(seconds)
            return
        self.done.set()
        time.sleep(0.005)
