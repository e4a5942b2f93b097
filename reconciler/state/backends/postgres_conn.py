"""Connections for the PostgreSQL backend: lazy psycopg, keepalives, retries, read-back.

The DSN comes from the config without a password (validate refuses one); libpq adds
PGPASSWORD or ~/.pgpass itself. Messages name the host, port and database only, never the
DSN, so no secret that libpq was given can reach them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from reconciler.state.backends.remote import ATTEMPTS, backoff, describe_error, retrying
from reconciler.state.errors import StateError

T = TypeVar("T")
INSTALL_HINT = "install the PostgreSQL backend with: pip install 'metastudio-reconciler[postgres]'"
# Client-side keepalives notice a dead server; the server-side ones (set per session) make
# the server drop a vanished holder's connection, and with it its advisory lock.
KEEPALIVES = {
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "connect_timeout": 10,
}
SERVER_KEEPALIVES = (
    "SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3"
)
_FATAL_MARKERS = ("authentication", "does not exist", "no password supplied", "permission")


def psycopg_module() -> Any:
    try:
        import psycopg
    except ImportError:
        raise StateError("the PostgreSQL state backend needs psycopg", hint=INSTALL_HINT) from None
    return psycopg


def where_of(dsn: str) -> str:
    try:
        parts = psycopg_module().conninfo.conninfo_to_dict(dsn)
    except StateError:
        raise
    except Exception:
        return "the configured database"
    host = parts.get("host") or "localhost"
    port = parts.get("port") or "5432"
    return f"{host}:{port}/{parts.get('dbname') or parts.get('user') or ''}"


def is_transient(error: BaseException) -> bool:
    psycopg = psycopg_module()
    if isinstance(error, (psycopg.errors.SerializationFailure, psycopg.errors.DeadlockDetected)):
        return True
    if isinstance(error, psycopg.OperationalError):
        text = str(error).lower()
        return not any(marker in text for marker in _FATAL_MARKERS)
    return False


class Connector:
    """One data connection, reopened after a failure."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._where: str | None = None
        self._conn: Any = None

    @property
    def where(self) -> str:
        if self._where is None:
            self._where = where_of(self.dsn)
        return self._where

    def connect(self, **options: Any) -> Any:
        psycopg = psycopg_module()
        try:
            conn = psycopg.connect(
                self.dsn, autocommit=True, application_name="reconciler", **KEEPALIVES, **options
            )
            conn.execute(SERVER_KEEPALIVES)
            return conn
        except psycopg.Error as error:
            if is_transient(error):
                raise
            raise StateError(
                f"cannot connect to {self.where}: {describe_error(error)}",
                hint="check state.dsn; the password comes from PGPASSWORD or ~/.pgpass",
            ) from None

    def conn(self) -> Any:
        if self._conn is None or self._conn.closed:
            self._conn = self.connect()
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def run(self, work: Callable[[Any], T], what: str) -> T:
        """``work(conn)``, on a new connection after a transient error (``work`` must be
        safe to repeat: reads, or writes guarded by their own checks)."""

        def once() -> T:
            try:
                return work(self.conn())
            except Exception as error:
                if is_transient(error):
                    self.close()
                    raise
                if isinstance(error, psycopg_module().Error):
                    raise StateError(
                        f"cannot {what} in {self.where}: {describe_error(error)}"
                    ) from None
                raise

        return retrying(once, is_transient, f"{what} in {self.where}")


def landed_or_retry(
    connector: Connector,
    transaction: Callable[[Any], None],
    landed: Callable[[Any], bool | None],
    conflict: StateError,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Run ``transaction`` once; if its outcome is unknown, ask ``landed`` (True: ours is
    there, False: another writer's is, None: nothing) before trying again."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            conn = connector.conn()
            with conn.transaction():
                transaction(conn)
            return
        except StateError:
            raise
        except Exception as error:
            if not is_transient(error):
                raise StateError(
                    f"cannot write the state in {connector.where}: {describe_error(error)}"
                ) from None
            connector.close()
            if attempt == ATTEMPTS:
                raise StateError(
                    f"writing the state in {connector.where} failed {ATTEMPTS} times: "
                    f"{describe_error(error)}",
                    hint="the database is unavailable; rerun when it answers again",
                ) from None
            sleep(backoff(attempt))
            outcome = connector.run(landed, "read back the last write")
            if outcome is True:
                return
            if outcome is False:
                raise conflict from None
    raise AssertionError("unreachable")
