"""The S3 state lock: an object beside the state, created with If-None-Match: *.

Terraform's design, without lease or heartbeat: the object exists exactly while a run holds
the lock, and holds that run's LockInfo (who, where, what operation, since when, lock ID).
A holder that dies leaves it behind: no store can tell a dead holder from a slow one, so the
busy message names the holder and how old its lock is, and `reconciler force-unlock LOCK_ID`
removes it. Release and force-unlock delete with If-Match on the ETag, so neither can remove
a lock that someone else took in between.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator

from reconciler.state.backends.remote import busy_error, lock_info, wait_for
from reconciler.state.backends.s3_store import Conflict, S3Store
from reconciler.state.errors import LockError
from reconciler.state.jsonvalues import load_json
from reconciler.state.lockinfo import Confirm, LockInfo, check_unlock


class S3Lock:
    def __init__(self, store: S3Store, key: str, where: str, clock: Callable[[], float]) -> None:
        self.store, self.key, self.where, self._clock = store, key, where, clock

    @contextlib.contextmanager
    def hold(self, operation: str, timeout: float) -> Iterator[LockInfo]:
        info = lock_info(operation, self.where, self._clock())
        body = (json.dumps(info.to_dict(), indent=2, sort_keys=True) + "\n").encode()
        etag = ""

        def attempt() -> bool:
            nonlocal etag
            try:
                etag = self.store.create(self.key, body)
            except Conflict:
                return False
            return True

        if not wait_for(attempt, timeout):
            raise busy_error(self.where, self._holder(), timeout)
        try:
            yield info
        finally:
            # Conflict: force-unlocked, maybe taken by another run since: not ours to delete.
            with contextlib.suppress(Conflict):
                self.store.delete(self.key, etag)

    def force_unlock(self, lock_id: str, confirm: Confirm | None = None) -> LockInfo:
        stored = self.store.get(self.key)
        if stored is None:
            raise LockError(f"state {self.where} is not locked; there is nothing to unlock")
        holder = _parse(stored.data)
        holder = check_unlock(
            holder,
            lock_id,
            self.where,
            confirm,
            unnamed=f"its lock object s3://{self.store.bucket}/{self.key} is not a reconciler lock",
            unnamed_hint="inspect it and delete it by hand if no run holds the state",
        )
        try:
            self.store.delete(self.key, stored.etag)
        except Conflict:
            raise LockError(
                f"the lock on state {self.where} changed while it was being removed",
                hint="run force-unlock again with the lock ID it shows now",
            ) from None
        return holder

    def _holder(self) -> LockInfo | None:
        stored = self.store.get(self.key)
        return None if stored is None else _parse(stored.data)


def _parse(data: bytes) -> LockInfo | None:
    try:
        return LockInfo.from_dict(load_json(data))
    except (ValueError, TypeError):
        return None
