"""Serialised, immediate state writes: the state on disk is never behind the remote side.

Voices run in parallel threads, but every remote mutation is followed by one write of the
whole state through here before the voice takes its next step.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from typing import Any

from reconciler.state import State, StateBackend, VoiceRecord, rfc3339


class Checkpointer:
    def __init__(
        self, backend: StateBackend, state: State, clock: Callable[[], float] = time.time
    ) -> None:
        self._backend = backend
        self._state = state
        self._lock = threading.Lock()
        self._clock = clock
        self.writes = 0

    @property
    def state(self) -> State:
        with self._lock:
            return self._state

    def now(self) -> str:
        return rfc3339(self._clock())

    def record(self, name: str) -> VoiceRecord | None:
        return self.state.voices.get(name)

    def put(self, record: VoiceRecord) -> VoiceRecord:
        with self._lock:
            self._state = self._backend.checkpoint(self._state.with_voice(record), (record.name,))
            self.writes += 1
        return record

    def update(self, name: str, **changes: Any) -> VoiceRecord:
        """Change fields of an existing record (updated_at set) and write at once."""
        with self._lock:
            current = self._state.voices[name]
            record = dataclasses.replace(current, updated_at=rfc3339(self._clock()), **changes)
            self._state = self._backend.checkpoint(self._state.with_voice(record), (record.name,))
            self.writes += 1
        return record

    def remove(self, name: str) -> None:
        with self._lock:
            if name in self._state.voices:
                self._state = self._backend.checkpoint(self._state.without_voice(name), (name,))
                self.writes += 1
