"""Progress while waiting: a line per change of state, and on a terminal a redrawn summary."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from typing import TextIO

from reconciler.status import VoiceStatus
from reconciler.views.status_table import state_label, summary

_CLEAR = "\r\x1b[K"


class WaitProgress:
    """Change lines are the record a CI log needs; the summary line is only for a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._tty = bool(getattr(stream, "isatty", lambda: False)())
        self._last: dict[str, str] = {}
        self._drawn = False

    def line(self, text: str) -> None:
        self._stream.write(f"{_CLEAR if self._drawn else ''}{text}\n")
        self._drawn = False
        self._stream.flush()

    def update(self, statuses: Sequence[VoiceStatus]) -> None:
        if not self._last:
            waiting = sum(not s.settled for s in statuses)
            if not waiting:  # nothing to wait for: the final table says it all
                self._last = {s.name: state_label(s) for s in statuses}
                return
            self.line(f"Waiting for {waiting} of {len(statuses)} voices to finish training...")
        for status in statuses:
            label = state_label(status)
            before = self._last.get(status.name)
            if before is None:
                self.line(f"{status.address}: {label}")
            elif before != label:
                self.line(f"{status.address}: {before} -> {label}")
            self._last[status.name] = label
        if self._tty:
            # A wrapped line could not be cleared with one carriage return: cut it to fit.
            width = shutil.get_terminal_size().columns - 1
            self._stream.write(f"{_CLEAR}{f'waiting: {summary(statuses)}'[:width]}")
            self._stream.flush()
            self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self._stream.write(_CLEAR)
            self._stream.flush()
            self._drawn = False
