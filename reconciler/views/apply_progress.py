"""Apply's output: step lines always, and on a terminal one progress bar for upload bytes."""

from __future__ import annotations

import threading
from typing import Any

from tqdm import tqdm

from reconciler.environment import Environment


def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"


class TerminalReporter:
    """Thread-safe: voices report from worker threads."""

    def __init__(self, env: Environment) -> None:
        self._env = env
        self._lock = threading.Lock()
        self._bar: tqdm[Any] | None = None
        self._sizes: dict[tuple[str, str], int] = {}

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
            if not self._env.stdout_is_tty:
                return
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

    def upload_progress(self, address: str, label: str, delta_bytes: int) -> None:
        with self._lock:
            if self._bar is not None:
                self._bar.update(delta_bytes)

    def upload_finished(self, address: str, label: str) -> None:
        size = self._sizes.pop((address, label), 0)
        if not self._env.stdout_is_tty and not label.startswith("sentence"):
            self._line(f"{address}: uploaded {label} ({_size(size)})")

    def change_started(self, address: str) -> None:
        pass  # the step lines already say what starts

    def change_finished(self, address: str, ok: bool, job_id: str | None) -> None:
        pass  # the summary says how each change ended

    def close(self) -> None:
        with self._lock:
            if self._bar is not None:
                self._bar.close()
                self._bar = None
