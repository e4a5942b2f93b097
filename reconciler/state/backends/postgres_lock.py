"""The PostgreSQL state lock: a session advisory lock on a dedicated connection, plus a row.

The advisory lock lives exactly as long as the holder's connection: a holder that is killed
closes its socket and the server releases the lock at once; a holder whose machine vanishes
is dropped by the server's TCP keepalives (set on the session, see postgres_conn.py). The row in
``reconciler_lock`` only says who holds it; a row left by a dead holder is stale and is
replaced by the next holder. force-unlock is for a hung holder: it terminates that backend
(pg_terminate_backend, allowed for the same role or pg_signal_backend members) and deletes
the row. The row is also the fencing token: every write of a lock holder checks, in its own
transaction, that the row still names its lock ID (``check_held``), so a holder that wakes
up after a force-unlock has its next write refused and stops, recording nothing.

Should the lock connection itself drop mid-run (a server restart), the lock is gone while
the run goes on; its writes stay safe all the same, because each one is a compare-and-swap
on the serial (postgres.py) and fails if another run has written since.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Iterator
from typing import Any

from reconciler.state.backends.postgres_conn import Connector, psycopg_module
from reconciler.state.backends.remote import busy_error, describe_error, lock_info, wait_for
from reconciler.state.errors import LockError, lock_lost
from reconciler.state.jsonvalues import load_json
from reconciler.state.lockinfo import Confirm, LockInfo, check_unlock


def advisory_key(name: str) -> int:
    digest = hashlib.sha256(f"reconciler-state:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class PostgresLock:
    def __init__(
        self, connector: Connector, name: str, where: str, clock: Callable[[], float]
    ) -> None:
        self.connector, self.name, self.where, self._clock = connector, name, where, clock
        self.key = advisory_key(name)

    @contextlib.contextmanager
    def hold(self, operation: str, timeout: float) -> Iterator[LockInfo]:
        conn = self.connector.connect()
        try:
            info = self._acquire(conn, operation, timeout)
            try:
                yield info
            finally:
                # The lock ends with the connection (closed below); the note goes first so
                # that no one reads a note of a lock that is free.
                with contextlib.suppress(psycopg_module().Error):
                    conn.execute(
                        "DELETE FROM reconciler_lock WHERE name = %s AND info::json->>'id' = %s",
                        (self.name, info.id),
                    )
        finally:
            conn.close()

    def _acquire(self, conn: Any, operation: str, timeout: float) -> LockInfo:
        try:
            if not wait_for(lambda: self._try(conn), timeout):
                raise busy_error(self.where, self._holder(conn), timeout)
            info = lock_info(operation, self.where, self._clock())
            conn.execute(
                "INSERT INTO reconciler_lock (name, info) VALUES (%s, %s) "
                "ON CONFLICT (name) DO UPDATE SET info = excluded.info",
                (self.name, json.dumps(info.to_dict(), sort_keys=True)),
            )
            return info
        except psycopg_module().Error as error:
            raise LockError(
                f"cannot lock state {self.where}: {describe_error(error)}",
                hint="the lock connection failed; rerun when the database answers",
            ) from None

    def force_unlock(self, lock_id: str, confirm: Confirm | None = None) -> LockInfo:
        conn = self.connector.connect()
        try:
            pid = self._holder_pid(conn)
            holder = self._holder(conn)
            if pid is None:
                raise LockError(
                    f"state {self.where} is not locked (a holder's lock ends with its "
                    "connection); there is nothing to unlock"
                )
            holder = check_unlock(holder, lock_id, self.where, confirm)
            row = conn.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()
            if not row or not row[0]:
                raise LockError(
                    f"could not end the session holding state {self.where} (backend {pid})",
                    hint="a superuser can: SELECT pg_terminate_backend(" + str(pid) + ")",
                )
            conn.execute(
                "DELETE FROM reconciler_lock WHERE name = %s AND info::json->>'id' = %s",
                (self.name, lock_id),
            )
            return holder
        except psycopg_module().Error as error:
            raise LockError(f"cannot unlock state {self.where}: {describe_error(error)}") from None
        finally:
            conn.close()

    def check_held(self, conn: Any, lock_id: str) -> None:
        """LockLostError unless the lock row still names ``lock_id``. Run inside a write's
        transaction: FOR SHARE makes a takeover (which replaces or deletes the row) wait for
        that write, or the write see the takeover, so no write lands after one."""
        row = conn.execute(
            "SELECT info FROM reconciler_lock WHERE name = %s FOR SHARE", (self.name,)
        ).fetchone()
        holder = None if row is None else _parse(row[0])
        if holder is None or holder.id != lock_id:
            raise lock_lost(self.where, lock_id, None if holder is None else holder.describe())

    def _try(self, conn: Any) -> bool:
        row = conn.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()
        return bool(row[0])

    def _holder(self, conn: Any) -> LockInfo | None:
        row = conn.execute(
            "SELECT info FROM reconciler_lock WHERE name = %s", (self.name,)
        ).fetchone()
        if row is None or self._holder_pid(conn) is None:
            return None  # no note, or a dead holder's stale one
        return _parse(row[0])

    def _holder_pid(self, conn: Any) -> int | None:
        unsigned = self.key & 0xFFFFFFFFFFFFFFFF
        row = conn.execute(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND classid = %s::bigint::oid AND objid = %s::bigint::oid AND objsubid = 1 "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            (unsigned >> 32, unsigned & 0xFFFFFFFF),
        ).fetchone()
        return None if row is None else int(row[0])


def _parse(text: str) -> LockInfo | None:
    try:
        return LockInfo.from_dict(load_json(text))
    except (ValueError, TypeError):
        return None
