"""What a command may touch of the outside world, injected so tests can run the CLI in-process."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO


def _no_color(env: Mapping[str, str]) -> bool:
    # no-color.org: present and not empty, whatever the value
    return bool(env.get("NO_COLOR"))


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

    @property
    def stdout_is_tty(self) -> bool:
        return bool(getattr(self.stdout, "isatty", lambda: False)())

    @property
    def stdin_is_tty(self) -> bool:
        return bool(getattr(self.stdin, "isatty", lambda: False)())

    @property
    def color(self) -> bool:
        return self.stdout_is_tty and not _no_color(self.environ)

    def out(self, text: str = "") -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def err(self, text: str = "") -> None:
        self.stderr.write(text + "\n")
        self.stderr.flush()
