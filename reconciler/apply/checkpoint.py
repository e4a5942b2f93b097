"""Durable state changes for the voices running in parallel: the state on disk is never
behind the remote side.

Every remote step is followed by a checkpoint before the voice takes its next step. Voices
that checkpoint while a write is in flight are carried by the next single write (group
commit); each caller still returns only once its own change is stored. Changes that follow
no remote step (what a refresh observed) are only collected, and stored with the next write
or by ``flush``: one write for all of them, not one per voice.
"""

from __future__ import annotations

import contextlib
import dataclasses
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from reconciler.plan.moves import renamed
from reconciler.state import State, StateBackend, VoiceRecord, rfc3339
from reconciler.state.binned import DeletedAsset


class Checkpointer:
    def __init__(
        self, backend: StateBackend, state: State, clock: Callable[[], float] = time.time
    ) -> None:
        self._backend = backend
        self._stored = state  # as last stored
        self._pending: dict[str, VoiceRecord | None] = {}  # changed since; None: removed
        self._in_flight: dict[str, VoiceRecord | None] = {}  # being stored now
        # Assets moved to the recycle bin since, and those being stored now (state/binned.py).
        self._binned: list[DeletedAsset] = []
        self._binned_in_flight: list[DeletedAsset] = []
        self._guard = threading.Condition()
        self._writing = False
        self._next_batch = 1  # the write a change made now goes into
        self._done_batch = 0  # the last write that returned (or failed)
        self._failures: dict[int, BaseException] = {}
        self._clock = clock
        self.writes = 0

    @property
    def state(self) -> State:
        """The state with every change made so far, stored or not yet."""
        with self._guard:
            return self._next(
                {**self._in_flight, **self._pending}, [*self._binned_in_flight, *self._binned]
            )

    def now(self) -> str:
        return rfc3339(self._clock())

    def record(self, name: str) -> VoiceRecord | None:
        with self._guard:
            return self._current(name)

    def put(self, record: VoiceRecord) -> VoiceRecord:
        with self._guard:
            self._commit(record.name, record)
        return record

    def update(self, name: str, **changes: Any) -> VoiceRecord:
        """Change fields of an existing record (updated_at set) and store it at once."""
        with self._guard:
            record = self._changed(name, changes)
            self._commit(name, record)
        return record

    def rename(self, old: str, new: str) -> None:
        """Move a record to another name in one write (done already: nothing to do)."""
        with self._guard:
            record = self._current(old)
            if record is None:
                return
            self._pending[old] = None
            self._commit(new, dataclasses.replace(renamed(record, new), updated_at=self.now()))

    def bin_asset(self, name: str, deleted: DeletedAsset) -> None:
        """Record that the voice's asset went to the recycle bin (``deleted``) in the same
        write that clears it from the voice: a crash cannot keep one without the other. A
        restored voice has no job besides its asset: its record goes with it."""
        with self._guard:
            current = self._current(name)
            if current is None:
                raise KeyError(name)
            self._binned.append(deleted)
            self._commit(name, _without_asset(current, self.now()))

    def drop_asset(self, name: str) -> None:
        """Clear the voice's asset, found already deleted (the record too, for a restored
        voice: nothing of it is left)."""
        with self._guard:
            current = self._current(name)
            if current is not None:
                self._commit(name, _without_asset(current, self.now()))

    def remove(self, name: str) -> None:
        with self._guard:
            if self._current(name) is not None:
                self._commit(name, None)

    def observe(self, name: str, **changes: Any) -> VoiceRecord:
        """Like ``update`` for what no remote step did: stored with the next write."""
        with self._guard:
            record = self._changed(name, changes)
            self._pending[name] = record
        return record

    def flush(self) -> None:
        """Store what ``observe`` collected, if anything is still pending."""
        with self._guard:
            if self._pending:
                self._wait_for(self._next_batch)

    # -- with the guard held ----------------------------------------------------------------

    def _current(self, name: str) -> VoiceRecord | None:
        for changes in (self._pending, self._in_flight):
            if name in changes:
                return changes[name]
        return self._stored.voices.get(name)

    def _changed(self, name: str, changes: dict[str, Any]) -> VoiceRecord:
        current = self._current(name)
        if current is None:
            raise KeyError(name)
        return dataclasses.replace(current, updated_at=rfc3339(self._clock()), **changes)

    def _commit(self, name: str, record: VoiceRecord | None) -> None:
        self._pending[name] = record
        self._wait_for(self._next_batch)

    def _wait_for(self, batch: int) -> None:
        """Return once write ``batch`` is stored; write it if no other thread is writing."""
        while self._done_batch < batch:
            if self._writing:
                self._guard.wait()
            else:
                self._write_batch()
        failure = self._failures.get(batch)
        if failure is not None:
            raise failure

    def _next(self, changes: dict[str, VoiceRecord | None], deleted: list[DeletedAsset]) -> State:
        """The stored state with ``changes``; the recycle bin's records past the window are
        dropped whenever a write carries new ones (state/binned.py)."""
        state = self._stored.with_records(changes)
        if deleted or self._stored.deleted_assets:
            state = state.with_deleted_assets(deleted, self._clock())
        return state

    def _write_batch(self) -> None:
        batch, changes, deleted = self._next_batch, self._pending, self._binned
        self._next_batch, self._pending, self._writing = batch + 1, {}, True
        self._in_flight, self._binned, self._binned_in_flight = changes, [], deleted
        try:
            with self._released():
                stored = self._backend.checkpoint(self._next(changes, deleted), changes)
        except BaseException as error:
            # Not stored, so not kept: as if these steps had never been recorded, which each
            # of their callers is told.
            self._failures[batch] = error
        else:
            self._stored = stored
            self.writes += 1
        finally:
            self._done_batch, self._writing, self._in_flight = batch, False, {}
            self._binned_in_flight = []
            self._guard.notify_all()

    @contextlib.contextmanager
    def _released(self) -> Iterator[None]:
        self._guard.release()
        try:
            yield
        finally:
            self._guard.acquire()


def _without_asset(record: VoiceRecord, now: str) -> VoiceRecord | None:
    if record.restored_at is not None:
        return None
    return dataclasses.replace(record, asset_id=None, updated_at=now)
