"""The state lock: an OS lock (gone when its holder dies) plus a note saying who holds it."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from filelock import FileLock, Timeout

from reconciler.fsutil import ensure_dir, file_error, file_errors, remove_stray_temps
from reconciler.state.errors import LockBusy, LockError
from reconciler.state.lockinfo import (
    Confirm,
    LockInfo,
    check_unlock,
    new_lock_info,
    read_lock_info,
    write_lock_info,
)

# flock is per open file, so a second acquire in the same process would simply wait for itself
# until the timeout; this registry turns that into an immediate error. Keyed with the pid so a
# forked child does not inherit its parent's claims.
_HELD: dict[str, tuple[int, str]] = {}
_HELD_GUARD = threading.Lock()
_POLL_SECONDS = 0.1


class LocalLock:
    def __init__(self, state_path: Path, clock: Callable[[], float]) -> None:
        self.state_path = state_path
        self.lock_path = state_path.with_name(state_path.name + ".lock")
        self.info_path = state_path.with_name(state_path.name + ".lock.info")
        self._clock = clock
        self._key = os.path.realpath(self.lock_path)
        self._held_inode: int | None = None
        self.held_id: str | None = None  # the lock ID while this object holds the lock

    @contextlib.contextmanager
    def hold(self, operation: str, timeout: float) -> Iterator[LockInfo]:
        """Wait up to ``timeout`` seconds (0: one attempt; negative: forever)."""
        self._claim(operation)
        try:
            file_lock = self._acquire(timeout)
            try:
                # The file this run locked: force-unlock unlinks it (see there), and a new
                # holder locks a new one, so its name no longer leading here means "taken over".
                with file_errors("lock", self.lock_path, LockError):
                    self._held_inode = os.stat(self.lock_path).st_ino
                info = new_lock_info(operation, self.state_path, self._clock())
                self.held_id = info.id
                with file_errors("write the lock note", self.info_path, LockError):
                    remove_stray_temps(self.info_path)
                    # A dead holder's note may still be here; replacing it is the point.
                    write_lock_info(self.info_path, info)
                try:
                    yield info
                finally:
                    self._remove_info(info.id)
            finally:
                self._held_inode = self.held_id = None
                file_lock.release()
        finally:
            self._unclaim()

    def lost(self) -> bool:
        """This process holds the lock, but a force-unlock removed it since (one stat)."""
        if self._held_inode is None:
            return False
        try:
            return os.stat(self.lock_path).st_ino != self._held_inode
        except FileNotFoundError:
            return True

    def _acquire(self, timeout: float) -> FileLock:
        file_lock = FileLock(self.lock_path, mode=0o600, thread_local=False)
        ensure_dir(self.lock_path.parent, LockError)
        try:
            file_lock.acquire(timeout=timeout, poll_interval=_POLL_SECONDS)
        except Timeout:
            raise self._busy_error(timeout) from None
        except OSError as error:
            raise file_error("lock", self.lock_path, error, LockError) from error
        return file_lock

    def force_unlock(self, lock_id: str, confirm: Confirm | None = None) -> LockInfo:
        info = read_lock_info(self.info_path)
        if not self._is_locked():
            raise LockError(f"state {self.state_path} is not locked; there is nothing to unlock")
        info = check_unlock(info, lock_id, str(self.state_path), confirm)
        # Info first: while the old lock file exists no one else can take the lock and write a
        # new note that we would then delete. The hung holder keeps its flock on the unlinked
        # inode; new runs create and lock a fresh file.
        for path in (self.info_path, self.lock_path):
            with file_errors("remove", path, LockError):
                path.unlink(missing_ok=True)
        return info

    def _is_locked(self) -> bool:
        if self._claimed_here() is not None:
            return True
        if not self.lock_path.exists():
            return False
        probe = FileLock(self.lock_path, mode=0o600, thread_local=False)
        try:
            probe.acquire(timeout=0)
        except Timeout:
            return True
        except OSError as error:
            raise file_error("lock", self.lock_path, error, LockError) from error
        probe.release()
        return False

    def _remove_info(self, own_id: str) -> None:
        # After a force-unlock a newer holder's note may be here; it is not ours to delete.
        info = read_lock_info(self.info_path)
        if info is not None and info.id == own_id:
            # A note left behind is harmless (the next holder replaces it, and it is only
            # shown while the OS lock is held); failing a finished run over it is not.
            with contextlib.suppress(OSError):
                self.info_path.unlink(missing_ok=True)

    def _busy_error(self, timeout: float) -> LockBusy:
        info = read_lock_info(self.info_path)
        waited = f" after waiting {timeout:g}s" if timeout > 0 else ""
        if info is None:
            return LockBusy(
                f"state {self.state_path} is locked by another process{waited}; "
                "it has not recorded who it is",
                holder=None,
                hint="retry with a longer --lock-timeout",
            )
        return LockBusy(
            f"state {self.state_path} is locked{waited}: {info.describe()}",
            holder=info,
            hint=(
                "wait for that run or retry with a longer --lock-timeout; if it is dead or hung, "
                f"run `reconciler force-unlock {info.id}` to remove the lock"
            ),
        )

    def _claimed_here(self) -> str | None:
        with _HELD_GUARD:
            pid, operation = _HELD.get(self._key, (None, ""))
        return operation if pid == os.getpid() else None

    def _claim(self, operation: str) -> None:
        with _HELD_GUARD:
            pid, held_for = _HELD.get(self._key, (None, ""))
            if pid == os.getpid():
                raise LockError(
                    f"state {self.state_path} is already locked by this process for '{held_for}'",
                    hint="a command took the state lock twice; this is a bug, please report it",
                )
            _HELD[self._key] = (os.getpid(), operation)

    def _unclaim(self) -> None:
        with _HELD_GUARD:
            _HELD.pop(self._key, None)
