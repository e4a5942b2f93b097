"""The state in an S3-compatible bucket (AWS S3, Huawei OBS, MinIO...): snapshot + journal.

Objects, all named after the state's key K:

- ``K``: the snapshot, the state's JSON as the local backend writes it.
- ``K.journal/<serial>``: one small entry per serial above the snapshot's (remote_journal.py).
  Every serial bump, checkpoint or whole write, first creates its entry with
  ``If-None-Match: *``: that conditional create is the compare-and-swap on the serial, so
  of two writers based on the same serial exactly one wins. A checkpoint then checks with a
  HEAD that the snapshot's ETag is still the one this run read: a writer that was
  force-unlocked and slept through a compaction (which deletes folded entries, so their
  serials could be created again) is refused instead of writing into the void. A checkpoint
  therefore costs one PUT of the changed records and one HEAD, whatever the state's size.
- ``K.backup``: the previous snapshot, copied before each compaction. A backup object,
  not bucket versioning: it works on every store and needs no bucket setting; turn on
  versioning as well to keep a longer history.
- ``K.lock``: the lock (s3_lock.py); ``K.probe/<uuid>``: the conditional-write probe.

``read`` = the snapshot + the listed entries above it, replayed in serial order. Compaction
(at the end of every locked run, after a whole write, and when a locked read finds a long
journal) writes the folded snapshot with ``If-Match`` on the ETag read, then deletes the
folded entries; a reader that meets a gap (a compaction in between) reads again. A gap seen
twice over the same snapshot and entries is no compaction (which replaces the snapshot
before deleting): the journal lost an entry, and the error says so instead of "rerun".
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.state.backends import BackendSettings
from reconciler.state.backends.remote import check_based_on
from reconciler.state.backends.remote_journal import (
    apply_entry,
    bumped_state,
    checkpoint_entry,
    decode_entry,
    decode_state,
    encode_entry,
    replay,
    write_entry,
)
from reconciler.state.backends.s3_lock import S3Lock
from reconciler.state.backends.s3_store import Conflict, S3Store, make_client
from reconciler.state.codec import encode
from reconciler.state.errors import StateError
from reconciler.state.lockinfo import Confirm, LockInfo
from reconciler.state.model import State

COMPACT_AFTER = 64  # journal entries a locked read folds into the snapshot
_READ_ATTEMPTS = 5
_PROBED: set[tuple[str | None, str]] = set()  # per process: one probe per store and bucket


class S3StateBackend:
    def __init__(
        self,
        bucket: str,
        key: str,
        *,
        endpoint: str | None = None,
        region: str | None = None,
        clock: Callable[[], float] = time.time,
        client: Any = None,
    ) -> None:
        self.bucket, self.key, self.endpoint = bucket, key, endpoint
        self.journal_prefix = f"{key}.journal/"
        self._client = client
        self._region = region
        self._store_: S3Store | None = None
        self._clock = clock
        # What this run last read or wrote: the snapshot's ETag and the replayed state.
        self._etag: str | None = None
        self._current: State | None = None
        self._journal: list[int] = []
        self._leftovers: list[int] = []
        self._locked = False

    def describe(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    @property
    def _store(self) -> S3Store:
        if self._store_ is None:
            client = self._client or make_client(self.endpoint, self._region)
            self._store_ = S3Store(client, self.bucket, self.describe())
        return self._store_

    def read(self) -> State:
        state = self._load()
        if self._locked and len(self._journal) >= COMPACT_AFTER:
            self._compact()
        return state

    def write(self, state: State) -> State:
        self._ensure_probed()
        current = self._load()
        check_based_on(current if current.serial else None, state, self.describe())
        self._claim(write_entry(state))
        self._compact()
        return self._require_current()

    def checkpoint(self, state: State, changed: Collection[str]) -> State:
        self._ensure_probed()
        known = self._current
        if known is None or known.serial != state.serial or known.lineage != state.lineage:
            # Not what this run last saw: check against the store (whole read, rare).
            current = self._load()
            check_based_on(current if current.serial else None, state, self.describe())
        entry = checkpoint_entry(state, changed)
        self._claim(entry)
        if self._store.head(self.key) != self._etag:
            raise StateError(
                f"state {self.describe()} was compacted by another run while this run held "
                f"serial {state.serial}; this run's checkpoint is discarded",
                hint="another run took over the state (force-unlock?); rerun to use its changes",
            )
        return bumped_state(state)

    def lock(self, operation: str, timeout: float) -> AbstractContextManager[LockInfo]:
        return self._hold(operation, timeout)

    def force_unlock(self, lock_id: str, confirm: Confirm | None = None) -> LockInfo:
        return self._lock.force_unlock(lock_id, confirm)

    @property
    def _lock(self) -> S3Lock:
        return S3Lock(self._store, f"{self.key}.lock", self.describe(), self._clock)

    @contextlib.contextmanager
    def _hold(self, operation: str, timeout: float) -> Iterator[LockInfo]:
        self._ensure_probed()
        with self._lock.hold(operation, timeout) as info:
            self._locked = True
            try:
                yield info
            finally:
                # The journal already holds everything; a failed fold only costs the next
                # reader some GETs, so it must not fail a finished run.
                with contextlib.suppress(StateError):
                    self._compact()
                self._locked = False

    def _ensure_probed(self) -> None:
        probe_key = (self.endpoint, self.bucket)
        if probe_key not in _PROBED:
            self._store.probe(self.key)
            _PROBED.add(probe_key)

    def _claim(self, entry: dict[str, Any]) -> None:
        serial = int(entry["serial"])
        try:
            self._store.create(self._entry_key(serial), encode_entry(entry))
        except Conflict:
            raise StateError(
                f"state {self.describe()} already has serial {serial}: another run wrote it "
                f"after this run read serial {serial - 1}",
                hint="another run changed the state without holding the lock; rerun to use "
                "its changes",
            ) from None
        base = self._require_current()
        if base.serial == 0:  # nothing stored before: the entry names the lineage
            base = State(lineage=str(entry["lineage"]))
        self._current = apply_entry(base, entry, self.describe())
        self._journal.append(serial)

    def _load(self) -> State:
        seen: _Gap | None = None
        for _ in range(_READ_ATTEMPTS):
            loaded = self._try_load()
            if isinstance(loaded, State):
                return loaded
            if loaded is not None and loaded == seen:
                # The same snapshot and the same entries, the same one missing: a compaction
                # replaces the snapshot before it deletes, so none ran in between. Rereading
                # will not bring the entry back.
                raise self._damaged(loaded)
            seen = loaded
        raise StateError(
            f"state {self.describe()} kept changing while it was read",
            hint="another run is compacting it; rerun in a moment",
        )

    def _try_load(self) -> State | _Gap | None:
        """The state; or the gap met in its journal; or None: the snapshot was replaced."""
        stored = self._store.get(self.key)
        snapshot = None if stored is None else decode_state(stored.data, self.describe())
        floor = 0 if snapshot is None else snapshot.serial
        listed = [_serial_of(k, self.journal_prefix) for k in self._store.keys(self.journal_prefix)]
        serials = sorted(serial for serial in listed if serial is not None and serial > floor)
        # At or below the snapshot: folded by a compaction that stopped before deleting them,
        # or created by a writer that lost its lock (it notices and gives up); never replayed.
        self._leftovers = [s for s in listed if s is not None and s <= floor]
        etag = None if stored is None else stored.etag
        if self._store.head(self.key) != etag:
            # Compacted since the GET: the listing may lack entries the snapshot read never
            # folded, and lacking all of them would look like no gap at all (a stale state).
            return None
        for expected, serial in enumerate(serials, start=floor + 1):
            if serial != expected:  # folded and deleted since the snapshot was read, or lost
                return _Gap(etag, floor, tuple(serials), expected)
        entries = []
        for serial in serials:
            got = self._store.get(self._entry_key(serial))
            if got is None:
                return _Gap(etag, floor, tuple(serials), serial)
            entries.append(decode_entry(got.data, self._entry_key(serial)))
        if snapshot is None:
            first = entries[0] if entries else None
            lineage = first.get("lineage") if first is not None else None
            snapshot = State(lineage=lineage) if isinstance(lineage, str) else State.new()
        state = replay(snapshot, entries, self.describe())
        self._etag = etag
        self._current, self._journal = state, serials
        return state

    def _damaged(self, gap: _Gap) -> StateError:
        unreadable = gap.missing in gap.listed  # listed, yet a GET finds nothing
        how = "is listed but cannot be read" if unreadable else "is missing"
        where = f"the snapshot is at serial {gap.floor}" if gap.etag else "there is no snapshot"
        aside = [serial for serial in gap.listed if serial >= gap.missing]
        return StateError(
            f"state {self.describe()} is damaged: journal entry {self._entry_key(gap.missing)} "
            f"{how} ({where}, and {len(aside) - unreadable} later entries need it); it is "
            "the same when read again, so this is no compaction in progress",
            hint="rerunning will not help. If the bucket keeps object versions, restore that "
            f"entry from them; otherwise copy {self._entry_key(aside[0])} and the entries "
            "after it somewhere safe and delete them: the state then reads as serial "
            f"{gap.missing - 1}, `reconciler plan` shows what it no longer records, and "
            "`reconciler import` adopts those jobs",
        )

    def _entry_key(self, serial: int) -> str:
        return f"{self.journal_prefix}{serial:012d}"

    def _compact(self) -> None:
        if self._current is None or not self._journal:
            if self._locked and self._leftovers:
                self._delete_entries(self._leftovers)
                self._leftovers = []
            return
        state, folded = self._current, list(self._journal)
        if self._etag is not None:
            self._store.copy(self.key, f"{self.key}.backup", self._etag)
        try:
            self._etag = self._store.replace(self.key, encode(state), self._etag)
        except Conflict:
            return  # someone else folded first; the journal still has everything
        self._journal = []
        self._delete_entries([*folded, *self._leftovers])
        self._leftovers = []

    def _delete_entries(self, serials: list[int]) -> None:
        self._store.delete_many([self._entry_key(s) for s in serials])

    def _require_current(self) -> State:
        if self._current is None:
            raise AssertionError("no state read yet")
        return self._current


@dataclass(frozen=True)
class _Gap:
    """What a read that met a missing journal entry saw: equal twice in a row, it is lasting."""

    etag: str | None  # the snapshot's
    floor: int  # the snapshot's serial
    listed: tuple[int, ...]  # the entries above it
    missing: int


def _serial_of(key: str, prefix: str) -> int | None:
    tail = key[len(prefix) :]
    return int(tail) if tail.isdigit() else None


def from_settings(
    settings: BackendSettings, *, state_path: Path, clock: Callable[[], float]
) -> S3StateBackend:
    assert settings.bucket is not None  # the schema requires it
    return S3StateBackend(
        settings.bucket,
        settings.key,
        endpoint=settings.endpoint,
        region=settings.region,
        clock=clock,
    )
