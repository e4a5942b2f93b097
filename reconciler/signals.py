"""SIGTERM (CI cancellation, Kubernetes, plain `kill`) handled exactly like Ctrl-C.

Python turns SIGINT into KeyboardInterrupt in the main thread, and every long-running command
already stops cleanly on it: apply and destroy finish and record the steps in flight, context
managers release the state lock, the CLI prints one line. Raising a KeyboardInterrupt subclass
on SIGTERM reuses all of that; only the exit status differs (128 + 15, as shells report it).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived; raised in the main thread wherever it happens to be."""


@dataclass
class Signals:
    terminated: bool = False  # a SIGTERM arrived (even if something caught the exception)


@contextmanager
def sigterm_as_interrupt() -> Iterator[Signals]:
    """Within the block, SIGTERM raises :class:`Terminated`; the old handler is restored."""
    seen = Signals()
    if threading.current_thread() is not threading.main_thread():
        yield seen  # handlers can only be installed from the main thread
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        # Only the first one raises: the run is already stopping, and a second exception
        # landing in the cleanup (a lock release, the summary) would cut it short.
        if not seen.terminated:
            seen.terminated = True
            raise Terminated

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield seen
    finally:
        # None: a handler installed outside Python, which cannot be put back; default is.
        signal.signal(signal.SIGTERM, signal.SIG_DFL if previous is None else previous)
