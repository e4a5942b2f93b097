"""Standard output that can go away under a run: its reader closing the pipe (`| head`), a
full disk (`> /dev/full`), a closed descriptor.

Python raises those from whichever write meets them, in whichever thread. Left alone they end
in tracebacks, fail the voices an apply has in flight (worker threads write their progress
lines), and Python's own flush at exit raises once more. Here the first failure is kept and
the run stops the way Ctrl-C stops it (signals.py): ``stop`` is set, so apply starts no new
step while the steps in flight finish and record; the main thread gets OutputLost, a
KeyboardInterrupt, at its next write, so every cleanup made for Ctrl-C runs (the state lock is
released); worker threads' writes are dropped. The descriptor is then pointed at /dev/null so
that no later flush, the interpreter's own at exit included, fails again.
"""

from __future__ import annotations

import errno
import os
import threading
from collections.abc import Callable, Iterable
from typing import TextIO, cast


class OutputLost(KeyboardInterrupt):
    """Standard output cannot be written any more; raised in the main thread only."""


class GuardedOutput:
    """A write-only text stream around the real one; thread-safe as the real one is."""

    def __init__(self, inner: TextIO | None, stop: threading.Event) -> None:
        self._inner = inner  # None: Python found no descriptor 1 at start-up (`>&-`)
        self._stop = stop
        self._lock = threading.Lock()
        self.failure: OSError | None = None

    @property
    def reader_gone(self) -> bool:
        """The failure was a closed pipe: nobody is reading, so nobody is told."""
        return isinstance(self.failure, BrokenPipeError)

    def as_text_io(self) -> TextIO:
        # Everything the commands (and tqdm) use of a TextIO is here; the rest is not.
        return cast(TextIO, self)

    def write(self, text: str) -> int:
        self._guard(lambda out: out.write(text))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._guard(lambda out: out.flush())

    def isatty(self) -> bool:
        try:
            return self._inner is not None and self.failure is None and self._inner.isatty()
        except (OSError, ValueError):
            return False

    def fileno(self) -> int:
        if self._inner is None:
            raise OSError(errno.EBADF, os.strerror(errno.EBADF))
        return self._inner.fileno()

    @property
    def encoding(self) -> str:
        return str(getattr(self._inner, "encoding", None) or "utf-8")

    def _guard(self, operation: Callable[[TextIO], object]) -> None:
        if self.failure is None:
            try:
                if self._inner is None:
                    raise OSError(errno.EBADF, "standard output is closed")
                operation(self._inner)
                return
            except OSError as error:
                self._lose(error)
        if threading.current_thread() is threading.main_thread():
            raise OutputLost from self.failure

    def _lose(self, error: OSError) -> None:
        with self._lock:
            if self.failure is not None:
                return
            self.failure = error
        self._stop.set()
        self._silence()

    def _silence(self) -> None:
        try:
            fd = self.fileno()
        except (OSError, ValueError):  # no descriptor (a StringIO): nothing flushes it at exit
            return
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, fd)
        except OSError:
            pass  # the descriptor is gone: nothing can write to it at exit either
        finally:
            os.close(devnull)
