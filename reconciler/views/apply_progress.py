"""Apply's output: step lines always; upload bytes as a progress bar on a terminal, and as a
line every few seconds (bytes, rate) in a log."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from tqdm import tqdm

from reconciler.environment import Environment
from reconciler.views.heartbeat import Heartbeat, size


class TerminalReporter:
    """Thread-safe: voices report from worker threads."""

    def __init__(self, env: Environment, *, sleep: Callable[[float], None] | None = None) -> None:
        self._env = env
        self._lock = threading.Lock()
        self._bar: tqdm[Any] | None = None
        self._sizes: dict[tuple[str, str], int] = {}
        self._bars = env.live_terminal
        # What the log lines tell: bytes of the uploads started, sent so far and by the
        # last line (for the rate), and when that line was written.
        self._total = self._sent = self._sent_before = 0
        self._since = env.clock()
        self._heartbeat = Heartbeat(self._line, env.progress_interval, env.clock, sleep=sleep)

    def _line(self, text: str) -> None:
        with self._lock:
            if self._bar is not None:
                self._bar.write(text, file=self._env.stdout)
            else:
                self._env.out(text)

    def step(self, address: str, message: str) -> None:
        self._line(f"{address}: {message}")

    def upload_started(self, address: str, label: str, total_bytes: int) -> None:
        with self._lock:
            self._sizes[(address, label)] = total_bytes
            first = not self._total
            self._total += total_bytes
            if self._bars:
                bar = self._bar
                if bar is None:
                    bar = self._bar = tqdm(
                        total=0,
                        unit="B",
                        unit_scale=True,
                        unit_divisor=1024,
                        desc="uploading",
                        file=self._env.stdout,
                        leave=False,
                        dynamic_ncols=True,
                    )
                bar.total = (bar.total or 0) + total_bytes
                bar.refresh()
        if first and not self._bars:
            # Sentence uploads come one small file after another: following from the first
            # upload to the end (rather than per file) keeps the lines coming between them.
            self._since = self._env.clock()
            self._heartbeat.follow(self._uploading)

    def upload_progress(self, address: str, label: str, delta_bytes: int) -> None:
        with self._lock:
            if self._bar is not None:
                self._bar.update(delta_bytes)
            self._sent += delta_bytes
        if not self._bars:
            self._heartbeat.beat()

    def upload_finished(self, address: str, label: str) -> None:
        with self._lock:
            bytes_ = self._sizes.pop((address, label), 0)
        if not self._bars and not label.startswith("sentence"):
            self._line(f"{address}: uploaded {label} ({size(bytes_)})")

    def _uploading(self) -> str | None:
        """The log line while uploads are in flight: bytes sent of those started, and the
        rate since the previous line; nothing between uploads."""
        with self._lock:
            if not self._sizes:
                return None
            now = self._env.clock()
            elapsed = now - self._since
            rate = (self._sent - self._sent_before) / elapsed if elapsed > 0 else 0.0
            self._sent_before, self._since = self._sent, now
            files = len(self._sizes)
            share = f" ({100 * self._sent // self._total}%)" if self._total else ""
            return (
                f"uploading: {size(self._sent)} of {size(self._total)}{share}, "
                f"{size(rate)}/s, {files} file{'s' if files != 1 else ''} in flight"
            )

    def change_started(self, address: str) -> None:
        pass  # the step lines already say what starts

    def change_finished(self, address: str, ok: bool, job_id: str | None) -> None:
        pass  # the summary says how each change ended

    def close(self) -> None:
        self._heartbeat.close()
        with self._lock:
            if self._bar is not None:
                self._bar.close()
                self._bar = None
