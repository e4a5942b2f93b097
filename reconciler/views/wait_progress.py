"""Progress while waiting: a line per change of state; on a terminal a redrawn summary, in a
log the summary as a line every few seconds while nothing changes."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Sequence
from typing import TextIO

from reconciler.status import VoiceStatus
from reconciler.views.heartbeat import Heartbeat, duration
from reconciler.views.status_table import state_label, summary

_CLEAR = "\r\x1b[K"


class WaitProgress:
    """Change lines are the record a CI log needs; the redrawn summary is only for a terminal
    that can redraw (not TERM=dumb), a log gets it as a line every ``interval`` seconds."""

    def __init__(
        self,
        stream: TextIO,
        *,
        live: bool,
        interval: float,
        clock: Callable[[], float],
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self._stream = stream
        self._live = live
        self._clock = clock
        self._write = threading.Lock()  # the heartbeat writes from its own thread
        self._last: dict[str, str] = {}
        self._summary = ""
        self._started = clock()
        self._drawn = False
        self._heartbeat = Heartbeat(self._heartbeat_line, interval, clock, sleep=sleep)

    def line(self, text: str) -> None:
        with self._write:
            self._stream.write(f"{_CLEAR if self._drawn else ''}{text}\n")
            self._drawn = False
            self._stream.flush()
        self._heartbeat.said()

    def update(self, statuses: Sequence[VoiceStatus]) -> None:
        first = not self._last
        if first:
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
        self._summary = summary(statuses)
        if first and not self._live:  # once the first lines are out: the next is due later
            self._heartbeat.follow(self._still_waiting)
        if self._live:
            # A wrapped line could not be cleared with one carriage return: cut it to fit.
            width = shutil.get_terminal_size().columns - 1
            with self._write:
                self._stream.write(f"{_CLEAR}{f'waiting: {self._summary}'[:width]}")
                self._stream.flush()
                self._drawn = True

    def _still_waiting(self) -> str:
        return f"still waiting ({duration(self._clock() - self._started)}): {self._summary}"

    def _heartbeat_line(self, text: str) -> None:
        with self._write:
            self._stream.write(f"{text}\n")
            self._stream.flush()

    def close(self) -> None:
        self._heartbeat.close()
        if self._drawn:
            with self._write:
                self._stream.write(_CLEAR)
                self._stream.flush()
                self._drawn = False
