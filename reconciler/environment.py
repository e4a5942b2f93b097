"""What a command may touch of the outside world, injected so tests can run the CLI in-process."""

from __future__ import annotations

import math
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from reconciler.errors import UsageError

PROGRESS_INTERVAL_VARIABLE = "RECONCILER_PROGRESS_INTERVAL"
DEFAULT_PROGRESS_INTERVAL = 10.0  # seconds between progress lines in a log (no terminal)
MAX_PROGRESS_INTERVAL = 3600.0


def _no_color(env: Mapping[str, str]) -> bool:
    # no-color.org: present and not empty, whatever the value
    return bool(env.get("NO_COLOR"))


def progress_interval(env: Mapping[str, str]) -> float:
    """Seconds between progress lines when no terminal shows a bar; 0 turns them off.

    UsageError for a value that is not a number from 0 to an hour: a typo must not silently
    leave a CI log without progress (or flood it)."""
    text = env.get(PROGRESS_INTERVAL_VARIABLE, "").strip()
    if not text:
        return DEFAULT_PROGRESS_INTERVAL
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 <= value <= MAX_PROGRESS_INTERVAL):
        raise UsageError(
            f"{PROGRESS_INTERVAL_VARIABLE}={text!r}: expected seconds from 0 (no progress "
            f"lines) to {MAX_PROGRESS_INTERVAL:g}"
        )
    return value


@dataclass
class Environment:
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    cwd: Path = field(default_factory=Path.cwd)
    clock: Callable[[], float] = time.time
    home: Path = field(default_factory=Path.home)
    # Set when the run should start no new work, as on Ctrl-C: stdout went away (see
    # output.py). Apply passes it to the executor as its stop flag.
    stop: threading.Event = field(default_factory=threading.Event)
    # --no-color, given to any command
    no_color: bool = False

    @property
    def stdout_is_tty(self) -> bool:
        return bool(getattr(self.stdout, "isatty", lambda: False)())

    @property
    def stdin_is_tty(self) -> bool:
        return bool(getattr(self.stdin, "isatty", lambda: False)())

    @property
    def stderr_is_tty(self) -> bool:
        return bool(getattr(self.stderr, "isatty", lambda: False)())

    @property
    def dumb_terminal(self) -> bool:
        # TERM=dumb (Emacs shells, some CI consoles): no escape sequences, no redrawn lines
        return self.environ.get("TERM", "") == "dumb"

    @property
    def live_terminal(self) -> bool:
        """stdout is a terminal that redraws: progress bars instead of progress lines."""
        return self.stdout_is_tty and not self.dumb_terminal

    @property
    def color(self) -> bool:
        return self.live_terminal and not self.no_color and not _no_color(self.environ)

    @property
    def progress_interval(self) -> float:
        return progress_interval(self.environ)

    def out(self, text: str = "") -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def err(self, text: str = "") -> None:
        self.stderr.write(text + "\n")
        self.stderr.flush()
