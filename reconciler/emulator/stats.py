"""Request counts per operation, faulted requests included, and how many of an operation's
requests were at most in progress at once (so a test can tell concurrent calls from
sequential ones by counting, not by timing)."""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any


class Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._in_flight: Counter[str] = Counter()
        self._peak: Counter[str] = Counter()

    def count(self, operation: str) -> None:
        with self._lock:
            self._counts[operation] += 1

    @contextlib.contextmanager
    def handling(self, operation: str) -> Iterator[None]:
        """Count a request and keep it in progress until it is answered."""
        with self._lock:
            self._counts[operation] += 1
            self._in_flight[operation] += 1
            self._peak[operation] = max(self._peak[operation], self._in_flight[operation])
        try:
            yield
        finally:
            with self._lock:
                self._in_flight[operation] -= 1

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()
            # Requests in progress stay so: the peak restarts from them.
            self._peak = +self._in_flight

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            operations = dict(sorted(self._counts.items()))
            peak = dict(sorted((+self._peak).items()))
        return {"operations": operations, "total": sum(operations.values()), "peak": peak}
