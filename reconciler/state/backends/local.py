"""The state in a local JSON file, with a journal, a backup and a lock beside it.

``write`` replaces the whole file (temp file, fsync, rename, fsync dir) after keeping the
previous version as the backup (see local_snapshot.py). ``checkpoint`` appends one line with the
changed records to the journal (see local_journal.py) and fsyncs that small file: its cost does not
depend on how many voices the state holds. The journal is folded into the snapshot (a
compaction: the snapshot replaced, the serial kept) by the checkpoint that would make it
outgrow the snapshot, which keeps the amortised cost per checkpoint constant, by ``write``,
and when the lock is released after a run that appended.

A kill at any instant leaves snapshot + journal reading back as a whole state: a torn last
line is ignored (its checkpoint never returned), and lines a cut-short compaction already
folded in are recognised by their serial.

A state path that is a symbolic link is followed once (see local_links.py): everything lives
beside the file it leads to.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

from reconciler.errors import ReconcilerError
from reconciler.fsutil import file_errors, fsync_dir
from reconciler.state.backends import BackendSettings, local_journal
from reconciler.state.backends.local_links import resolve_state_path
from reconciler.state.backends.local_lock import LocalLock
from reconciler.state.backends.local_snapshot import FileId, Snapshots, read_file
from reconciler.state.codec import decode, encode
from reconciler.state.errors import StateError, lock_lost
from reconciler.state.lockinfo import Confirm, LockInfo, read_lock_info
from reconciler.state.model import FORMAT_VERSION, State


@dataclasses.dataclass(frozen=True)
class _Stored:
    """What this backend last read or wrote. A checkpoint compares the files' identities
    with it (two stats) to know, without reading the state, that nobody else wrote since."""

    state: State  # snapshot + journal
    snapshot: FileId
    snapshot_format: int
    journal: FileId | None
    append_at: int  # end of the journal's last whole line
    replayed: bool  # the journal changed the snapshot: the previous version is not the file


class LocalStateBackend:
    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = resolve_state_path(path)
        self.backup_path = self.path.with_name(self.path.name + ".backup")
        self.journal_path = self.path.with_name(self.path.name + local_journal.SUFFIX)
        self._lock = LocalLock(self.path, clock)
        self._snapshots = Snapshots(self.path, self.backup_path, self.journal_path)
        self._stored: _Stored | None = None
        self._appended = False  # since the lock was taken: fold the journal in on release

    def describe(self) -> str:
        return str(self.path)

    def read(self) -> State:
        stored = self._load()
        if stored is not None:
            return stored.state
        if self.backup_path.exists():
            # Our writes never remove the state file, so someone did; starting empty would
            # forget every job and create duplicates.
            raise StateError(
                f"state file {self.path} is missing but its backup {self.backup_path} exists",
                hint=f"restore it with: cp {self.backup_path} {self.path} "
                "(or delete the backup to really start from an empty state)",
            )
        return State.new()

    def write(self, state: State) -> State:
        self._check_fence()
        stored = self._load()
        if stored is not None and _is_retry_of(state, stored.state):
            return stored.state
        self._check_based_on(state, stored)
        written = dataclasses.replace(state, serial=state.serial + 1, format_version=FORMAT_VERSION)
        # The backup is the version this write replaces: the snapshot with its journal.
        backup = encode(stored.state) if stored is not None and stored.replayed else None
        self._replace_snapshot(written, backup, stored is not None, kept=state.serial)
        return written

    def checkpoint(self, state: State, changed: Collection[str]) -> State:
        self._check_fence()
        stored = self._stored if self._unchanged(self._stored, state) else None
        if stored is None:
            stored = self._load()
            if stored is not None and _is_retry_of(state, stored.state):
                return stored.state
            self._check_based_on(state, stored)
        if stored is None or stored.snapshot_format < FORMAT_VERSION:
            # No snapshot yet, or one older readers would take without its journal: one
            # whole write (the upgrade in place, serial and lineage kept).
            return self.write(state)
        written = dataclasses.replace(state, serial=state.serial + 1, format_version=FORMAT_VERSION)
        line = local_journal.encode_entry(
            written.lineage,
            written.serial,
            {name: written.voices.get(name) for name in changed},
            written.deleted_assets,
        )
        if (stored.append_at + len(line)) > stored.snapshot.size or len(line) * 4 > (
            stored.snapshot.size
        ):
            # The journal would outgrow the snapshot, or this one change is a good part of
            # it (a sync of every voice): fold it in now, this change with it, rather than
            # append and then compact. Amortised over the checkpoints that filled the
            # journal, the cost per checkpoint stays constant.
            self._replace_snapshot(written, None, True, kept=state.serial)
            return written
        journal_id = self._append(stored, line, state.serial)
        self._appended = True
        self._stored = dataclasses.replace(
            stored, state=written, journal=journal_id, append_at=journal_id.size, replayed=True
        )
        return written

    def lock(self, operation: str, timeout: float) -> AbstractContextManager[LockInfo]:
        return self._hold(operation, timeout)

    def force_unlock(self, lock_id: str, confirm: Confirm | None = None) -> LockInfo:
        return self._lock.force_unlock(lock_id, confirm)

    # -- internals --------------------------------------------------------------------------

    @contextlib.contextmanager
    def _hold(self, operation: str, timeout: float) -> Iterator[LockInfo]:
        with self._lock.hold(operation, timeout) as info:
            self._appended = False
            try:
                yield info
            except BaseException:
                # The run failed or was stopped: its journal is complete, and folding it in
                # is only tidying, which must not hide why the run ended.
                with contextlib.suppress(ReconcilerError):
                    self._compact_if_appended()
                raise
            self._compact_if_appended()

    def _compact_if_appended(self) -> None:
        if self._appended:
            self._appended = False
            if not self._lock.lost():  # the new holder's appends are not ours to fold
                self._compact()

    def _check_fence(self) -> None:
        # Not atomic with the write, but a holder taking over in between reads the files
        # after this write and sees it, or its own write finds the files changed and stops.
        if self._lock.lost():
            holder = read_lock_info(self._lock.info_path)
            now_held_by = None if holder is None else holder.describe()
            raise lock_lost(str(self.path), self._lock.held_id or "?", now_held_by)

    def _compact(self) -> None:
        """Fold the journal into the snapshot; the serial stays what it is."""
        stored = self._stored
        if stored is None or not self._unchanged(stored, stored.state):
            stored = self._load()
        if stored is None or stored.journal is None:
            return
        # The backup is the snapshot file being replaced: an older, complete version.
        self._replace_snapshot(stored.state, None, True, kept=stored.state.serial)

    def _replace_snapshot(
        self, state: State, backup: bytes | None, has_previous: bool, kept: int
    ) -> None:
        """``state`` as the snapshot, the backup as Snapshots.replace says, no journal."""
        self._stored = None  # until the files are known again
        snapshot = self._snapshots.replace(state, backup, has_previous, kept)
        self._stored = _Stored(state, snapshot, FORMAT_VERSION, None, 0, replayed=False)

    def _append(self, stored: _Stored, line: bytes, serial: int) -> FileId:
        path = self.journal_path
        unchanged = f"state {self.path} is unchanged at serial {serial}"
        creating = stored.journal is None
        flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if creating else 0)
        with file_errors("append to the state journal", path, StateError, hint=unchanged):
            fd = os.open(path, flags, 0o600)
            try:
                try:
                    if creating:
                        os.fchmod(fd, 0o600)  # as the snapshot: neither umask nor ACL decide
                    elif stored.journal is not None and stored.journal.size != stored.append_at:
                        os.ftruncate(fd, stored.append_at)  # a torn line a crash left
                    view, offset = memoryview(line), stored.append_at
                    while view:
                        written = os.pwrite(fd, view, offset)
                        view, offset = view[written:], offset + written
                    os.fsync(fd)
                    journal_id = FileId.of(os.fstat(fd))
                except BaseException:
                    # Back to where it was, so the caller's "it failed" holds; if even that
                    # fails the next checkpoint reads the files again before writing.
                    self._stored = None
                    with contextlib.suppress(OSError):
                        os.ftruncate(fd, stored.append_at)
                        os.fsync(fd)
                    raise
            finally:
                os.close(fd)
            if creating:
                fsync_dir(path.parent)  # the new file's name must survive a power loss too
        return journal_id

    def _unchanged(self, stored: _Stored | None, state: State) -> bool:
        """``state`` is what this backend last stored, and the files are as it left them."""
        if stored is None or (stored.state.lineage, stored.state.serial) != (
            state.lineage,
            state.serial,
        ):
            return False
        try:
            if FileId.of(os.stat(self.path)) != stored.snapshot:
                return False
        except OSError:
            return False
        try:
            current = FileId.of(os.stat(self.journal_path))
        except FileNotFoundError:
            return stored.journal is None
        except OSError:
            return False
        return stored.journal is not None and current.same_file(stored.journal)

    def _load(self) -> _Stored | None:
        """Snapshot + journal as stored now, or None when there is no snapshot."""
        # The journal first: a compaction between the two reads then only makes its lines
        # older than the snapshot (skipped), never a journal newer than the snapshot read.
        try:
            journal_data, journal_id = read_file(self.journal_path, "read state journal")
        except StateError:
            read_file(self.path, "read state file")  # a broken directory: name the state file
            raise
        data, snapshot_id = read_file(self.path, "read state file")
        if data is None or snapshot_id is None:
            if journal_data:
                raise StateError(
                    f"state file {self.path} is missing but its journal {self.journal_path} exists",
                    hint=f"restore the state file (its previous version is in "
                    f"{self.backup_path}, if that exists), or move the journal aside",
                )
            self._stored = None
            return None
        snapshot = decode(data, self.path, self.backup_path)
        state, append_at = snapshot, 0
        if journal_data is not None:
            parsed = local_journal.parse(journal_data, self.journal_path)
            state, append_at = (
                local_journal.replay(snapshot, parsed.entries, self.journal_path),
                (parsed.valid_length),
            )
        self._stored = _Stored(
            state,
            snapshot_id,
            snapshot.format_version,
            journal_id,
            append_at,
            replayed=state is not snapshot,
        )
        return self._stored

    def _check_based_on(self, state: State, stored: _Stored | None) -> None:
        hint = "another run changed the state without holding the lock; rerun to use its changes"
        if stored is None:
            if state.serial != 0:
                raise StateError(
                    f"state file {self.path} disappeared after serial {state.serial} was read",
                    hint=f"restore it from {self.backup_path} and rerun",
                )
            return
        if stored.state.lineage != state.lineage:
            raise StateError(
                f"state file {self.path} now belongs to lineage {stored.state.lineage}, "
                f"not {state.lineage} that this run read",
                hint=hint,
            )
        if stored.state.serial != state.serial:
            raise StateError(
                f"state file {self.path} is at serial {stored.state.serial}, "
                f"but this run read serial {state.serial}",
                hint=hint,
            )


def _is_retry_of(state: State, stored: State) -> bool:
    """A write repeated after its outcome was unknown (e.g. the dir fsync failed) already landed."""
    if stored.lineage != state.lineage or stored.serial != state.serial + 1:
        return False
    return stored.to_dict() == dataclasses.replace(state, serial=stored.serial).to_dict()


def from_settings(
    settings: BackendSettings, *, state_path: Path, clock: Callable[[], float]
) -> LocalStateBackend:
    return LocalStateBackend(state_path, clock=clock)
