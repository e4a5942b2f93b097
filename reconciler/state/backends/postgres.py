"""The state in PostgreSQL (psycopg 3): a head row, a snapshot row, a journal and a history.

Tables (created on first use, under a transaction-scoped advisory lock so that two first
runs do not race; ``reconciler_schema`` records their version):

- ``reconciler_state(name, lineage, serial)``: the head, one small row per state name.
  Every write and checkpoint is one transaction that first moves it with
  ``UPDATE ... SET serial = serial + 1 WHERE name = %s AND lineage = %s AND serial = %s``:
  the compare-and-swap on the serial; zero rows updated means another writer got in first.
- ``reconciler_journal(name, serial, entry)``, unique on (name, serial): one row per
  checkpoint with only the changed records (remote_journal.py), so a checkpoint writes two small
  rows whatever the state's size.
- ``reconciler_snapshot(name, serial, data)``: the folded state. A whole write, and a
  compaction (at the end of every locked run, or when a locked read finds a long journal),
  replaces it and deletes the folded journal rows in the same transaction.
- ``reconciler_history(name, serial, lineage, data, saved_at)``: each replaced snapshot,
  the last HISTORY_KEPT per state.
- ``reconciler_lock(name, info)``: who holds the lock (postgres_lock.py); the lock itself is a
  session advisory lock, which the server releases when the holder's connection dies. The
  row is the fencing token too: a lock holder's write checks, in its transaction, that the
  row still names its lock ID, so a run force-unlocked while hung cannot write after waking.

A transaction whose commit's outcome is unknown (the connection dropped) is resolved by
reading back, on a new connection, whether its journal row or snapshot landed.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from reconciler.state.backends import BackendSettings
from reconciler.state.backends.postgres_conn import Connector, landed_or_retry
from reconciler.state.backends.postgres_lock import PostgresLock
from reconciler.state.backends.remote import check_based_on
from reconciler.state.backends.remote_journal import (
    bumped_state,
    checkpoint_entry,
    decode_entry,
    decode_state,
    encode_entry,
    replay,
)
from reconciler.state.codec import encode
from reconciler.state.errors import StateError
from reconciler.state.lockinfo import Confirm, LockInfo
from reconciler.state.model import State

SCHEMA_VERSION = 1
COMPACT_AFTER = 64
HISTORY_KEPT = 50
_SCHEMA = """
CREATE TABLE IF NOT EXISTS reconciler_schema (version integer NOT NULL);
CREATE TABLE IF NOT EXISTS reconciler_state (
    name text PRIMARY KEY, lineage text NOT NULL, serial bigint NOT NULL);
CREATE TABLE IF NOT EXISTS reconciler_snapshot (
    name text PRIMARY KEY, serial bigint NOT NULL, data text NOT NULL);
CREATE TABLE IF NOT EXISTS reconciler_journal (
    name text NOT NULL, serial bigint NOT NULL, entry text NOT NULL,
    PRIMARY KEY (name, serial));
CREATE TABLE IF NOT EXISTS reconciler_history (
    name text NOT NULL, serial bigint NOT NULL, lineage text NOT NULL, data text NOT NULL,
    saved_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (name, serial));
CREATE TABLE IF NOT EXISTS reconciler_lock (name text PRIMARY KEY, info text NOT NULL);
"""
_SCHEMA_LOCK = 0x7265636F6E63  # any constant: only serialises the first CREATE TABLEs


class PostgresStateBackend:
    def __init__(self, dsn: str, name: str, *, clock: Callable[[], float] = time.time) -> None:
        self.name = name
        self._connector = Connector(dsn)
        self._clock = clock
        self._schema_ready = False
        self._current: State | None = None
        self._journal_rows = 0
        self._locked = False
        self._fence: str | None = None  # the lock ID held: every write checks it still is

    def describe(self) -> str:
        return f"postgres state '{self.name}' ({self._connector.where})"

    def read(self) -> State:
        self._ensure_schema()
        state = self._connector.run(self._read_in, "read the state")
        if self._locked and self._journal_rows >= COMPACT_AFTER:
            self._compact()
        return state

    def write(self, state: State) -> State:
        self._ensure_schema()
        current = self._connector.run(self._read_in, "read the state")
        check_based_on(current if current.serial else None, state, self.describe())
        written = bumped_state(state)

        def transaction(conn: Any) -> None:
            self._check_fence(conn)
            self._move_head(conn, state, written.lineage)
            self._replace_snapshot(conn, written)

        def landed(conn: Any) -> bool | None:
            row = conn.execute(
                "SELECT data FROM reconciler_snapshot WHERE name = %s AND serial = %s",
                (self.name, written.serial),
            ).fetchone()
            return None if row is None else row[0] == encode(written).decode()

        landed_or_retry(self._connector, transaction, landed, self._conflict(state))
        self._current, self._journal_rows = written, 0
        return written

    def checkpoint(self, state: State, changed: Collection[str]) -> State:
        self._ensure_schema()
        entry = checkpoint_entry(state, changed)
        data = encode_entry(entry).decode()

        def transaction(conn: Any) -> None:
            self._check_fence(conn)
            self._move_head(conn, state, state.lineage)
            conn.execute(
                "INSERT INTO reconciler_journal (name, serial, entry) VALUES (%s, %s, %s)",
                (self.name, entry["serial"], data),
            )

        def landed(conn: Any) -> bool | None:
            row = conn.execute(
                "SELECT entry FROM reconciler_journal WHERE name = %s AND serial = %s",
                (self.name, entry["serial"]),
            ).fetchone()
            return None if row is None else row[0] == data

        landed_or_retry(self._connector, transaction, landed, self._conflict(state))
        written = bumped_state(state)
        self._current = written
        self._journal_rows += 1
        return written

    def lock(self, operation: str, timeout: float) -> AbstractContextManager[LockInfo]:
        return self._hold(operation, timeout)

    def force_unlock(self, lock_id: str, confirm: Confirm | None = None) -> LockInfo:
        self._ensure_schema()
        return self._lock().force_unlock(lock_id, confirm)

    def _lock(self) -> PostgresLock:
        return PostgresLock(self._connector, self.name, self.describe(), self._clock)

    @contextlib.contextmanager
    def _hold(self, operation: str, timeout: float) -> Iterator[LockInfo]:
        self._ensure_schema()
        with self._lock().hold(operation, timeout) as info:
            self._locked, self._fence = True, info.id
            try:
                yield info
            finally:
                self._locked = False
                with contextlib.suppress(StateError):  # the journal holds it all already
                    self._compact()
                self._fence = None
                self._connector.close()

    def _ensure_schema(self) -> None:
        if self._schema_ready:
            return

        def create(conn: Any) -> None:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
                conn.execute(_SCHEMA)
                row = conn.execute("SELECT max(version) FROM reconciler_schema").fetchone()
                if row[0] is None:
                    conn.execute(
                        "INSERT INTO reconciler_schema (version) VALUES (%s)", (SCHEMA_VERSION,)
                    )
                elif row[0] > SCHEMA_VERSION:
                    raise StateError(
                        f"the reconciler tables in {self._connector.where} are at schema "
                        f"version {row[0]}; this reconciler knows up to {SCHEMA_VERSION}",
                        hint="upgrade reconciler to use this state",
                    )

        self._connector.run(create, "create the state tables")
        self._schema_ready = True

    def _read_in(self, conn: Any) -> State:
        with conn.transaction():
            conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            head = conn.execute(
                "SELECT lineage, serial FROM reconciler_state WHERE name = %s", (self.name,)
            ).fetchone()
            snap = conn.execute(
                "SELECT data FROM reconciler_snapshot WHERE name = %s", (self.name,)
            ).fetchone()
            rows = conn.execute(
                "SELECT serial, entry FROM reconciler_journal WHERE name = %s ORDER BY serial",
                (self.name,),
            ).fetchall()
        if head is None:
            state = State.new()
        else:
            base = (
                decode_state(snap[0], self.describe())
                if snap is not None
                else State(lineage=head[0])
            )
            entries = [decode_entry(row[1].encode(), f"{self.name}/{row[0]}") for row in rows]
            state = replay(base, entries, self.describe())
            if state.serial != head[1]:
                raise StateError(
                    f"state {self.describe()}: the journal ends at serial {state.serial} but "
                    f"the head says {head[1]}",
                    hint="restore the state from reconciler_history",
                )
        self._current, self._journal_rows = state, len(rows)
        return state

    def _check_fence(self, conn: Any) -> None:
        """Refuse the write of a run whose lock was force-unlocked (see postgres_lock.py)."""
        if self._fence is not None:
            self._lock().check_held(conn, self._fence)

    def _move_head(self, conn: Any, state: State, lineage: str) -> None:
        if state.serial == 0:
            moved = conn.execute(
                "INSERT INTO reconciler_state (name, lineage, serial) VALUES (%s, %s, 1) "
                "ON CONFLICT (name) DO NOTHING",
                (self.name, lineage),
            )
        else:
            moved = conn.execute(
                "UPDATE reconciler_state SET serial = serial + 1, lineage = %s "
                "WHERE name = %s AND lineage = %s AND serial = %s",
                (lineage, self.name, state.lineage, state.serial),
            )
        if moved.rowcount != 1:
            raise self._conflict(state)

    def _replace_snapshot(self, conn: Any, state: State) -> None:
        conn.execute(
            "INSERT INTO reconciler_history (name, serial, lineage, data) "
            "SELECT s.name, s.serial, h.lineage, s.data FROM reconciler_snapshot s "
            "JOIN reconciler_state h ON h.name = s.name WHERE s.name = %s "
            "ON CONFLICT DO NOTHING",
            (self.name,),
        )
        conn.execute(
            "INSERT INTO reconciler_snapshot (name, serial, data) VALUES (%s, %s, %s) "
            "ON CONFLICT (name) DO UPDATE SET serial = excluded.serial, data = excluded.data",
            (self.name, state.serial, encode(state).decode()),
        )
        conn.execute(
            "DELETE FROM reconciler_journal WHERE name = %s AND serial <= %s",
            (self.name, state.serial),
        )
        conn.execute(
            "DELETE FROM reconciler_history WHERE name = %s AND serial NOT IN (SELECT serial "
            "FROM reconciler_history WHERE name = %s ORDER BY serial DESC LIMIT %s)",
            (self.name, self.name, HISTORY_KEPT),
        )

    def _compact(self) -> None:
        state = self._current
        if state is None or self._journal_rows == 0:
            return

        def fold(conn: Any) -> None:
            with conn.transaction():
                self._check_fence(conn)
                head = conn.execute(
                    "SELECT lineage, serial FROM reconciler_state WHERE name = %s FOR UPDATE",
                    (self.name,),
                ).fetchone()
                if head is None or (head[0], head[1]) != (state.lineage, state.serial):
                    return  # moved on without us: its writer folds it
                self._replace_snapshot(conn, state)

        self._connector.run(fold, "compact the state")
        self._journal_rows = 0

    def _conflict(self, state: State) -> StateError:
        return StateError(
            f"state {self.describe()} is no longer at serial {state.serial} of lineage "
            f"{state.lineage}: another run wrote it after this run read it",
            hint="another run changed the state without holding the lock; rerun to use its changes",
        )


def from_settings(
    settings: BackendSettings, *, state_path: Path, clock: Callable[[], float]
) -> PostgresStateBackend:
    assert settings.dsn is not None  # the schema requires it
    return PostgresStateBackend(settings.dsn, settings.name, clock=clock)
