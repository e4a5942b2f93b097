"""Progress a log can show: a line at least every N seconds while something long goes on.

A terminal gets redrawn bars; a CI log gets nothing from those, and a job that prints nothing
for minutes looks hung (and some CI systems kill it). So without a terminal, whatever is in
progress (an upload, a wait for the state lock, for training, for an audition) is described
in a line every ``interval`` seconds (``RECONCILER_PROGRESS_INTERVAL``, default 10; 0: never).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable

Describe = Callable[[], "str | None"]

# Never wake more often than this, however small the interval: a timer thread that spins
# would cost more than the wait it reports.
_MIN_WAKE = 0.01


class Heartbeat:
    """Says ``describe()`` once ``interval`` seconds of ``clock`` have passed since the last
    line: when ``beat`` is called (as bytes flow), and from a timer thread for the waits where
    nothing calls back (a blocked lock, a poll's sleep). ``sleep`` is the timer's pause
    (default: real time, cut short by ``close``); tests pass one that moves their clock."""

    def __init__(
        self,
        say: Callable[[str], None],
        interval: float,
        clock: Callable[[], float],
        *,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._say = say
        self._interval = interval
        self._clock = clock
        self._closed = threading.Event()
        self._sleep: Callable[[float], object] = sleep or self._closed.wait
        self._guard = threading.Lock()
        self._describe: Describe | None = None
        self._last = 0.0
        self._thread: threading.Thread | None = None

    @property
    def enabled(self) -> bool:
        return self._interval > 0

    def follow(self, describe: Describe) -> None:
        """From now on ``describe()`` says what goes on; the first line is due an interval
        from now (the caller has just said what started)."""
        if not self.enabled:
            return
        thread = None
        with self._guard:
            self._describe = describe
            self._last = self._clock()
            if self._thread is None and not self._closed.is_set():
                thread = self._thread = threading.Thread(
                    target=self._run, name="progress", daemon=True
                )
        if thread is not None:
            thread.start()

    def quiet(self) -> None:
        """Nothing long goes on any more: no lines until the next ``follow``."""
        with self._guard:
            self._describe = None

    def said(self) -> None:
        """A line about the same work was just written by someone else: the next is due an
        interval from now."""
        with self._guard:
            self._last = self._clock()

    def beat(self) -> None:
        """Say the description if a line is due."""
        with self._guard:
            describe = self._describe
            now = self._clock()
            if describe is None or now - self._last < self._interval:
                return
            self._last = now
            text = describe()
        if text:
            self._say(text)

    def close(self) -> None:
        self._closed.set()
        with self._guard:
            self._describe = None
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def _run(self) -> None:
        while not self._closed.is_set():
            with self._guard:
                due = self._last + self._interval - self._clock()
            self._sleep(max(_MIN_WAKE, due))
            if not self._closed.is_set():
                # A stream that went away (stderr closed) ends the lines, not with a traceback
                # from this thread; the run itself finds out at its own next write.
                with contextlib.suppress(OSError, ValueError):
                    self.beat()


def duration(seconds: float) -> str:
    """``42s``, ``3m05s``, ``2h04m``: how long a wait has lasted, short enough for a log line."""
    whole = max(0, int(seconds))
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def size(n: float) -> str:
    """Bytes in binary units, as the progress bars show them."""
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"
