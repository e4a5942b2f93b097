"""The local state's snapshot file: replaced whole, its previous version kept as the backup.

The snapshot is only ever replaced by rename, never written in place, so the backup of the
file being replaced is a second name for it (a hard link) rather than a copy of its bytes.

Replacing it also ends the journal beside it, whose lines the new snapshot holds: the
journal goes last, so a kill in between leaves lines the reader recognises as folded in.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from reconciler.file_identity import FileIdentity, file_identity
from reconciler.fsutil import (
    atomic_write,
    ensure_dir,
    file_error,
    file_errors,
    fsync_dir,
    link_replace,
    remove_stray_temps,
)
from reconciler.state.codec import encode
from reconciler.state.errors import StateError
from reconciler.state.model import State


@dataclass(frozen=True)
class FileId:
    """Which file, at which size and time: another writer's rename, append or rewrite in
    place changes it. The whole FileIdentity, ctime too: ``cp -p state.json.backup
    state.json`` rewrites the file in place (same inode) and sets its mtime back, and the
    backup can well be of the same size."""

    identity: FileIdentity

    @classmethod
    def of(cls, stat: os.stat_result) -> FileId:
        return cls(file_identity(stat))

    @property
    def size(self) -> int:
        return self.identity.size

    def same_file(self, other: FileId) -> bool:
        # A journal's times are not compared: an append this backend made moves them too.
        mine, theirs = self.identity, other.identity
        return (mine.device, mine.inode, mine.size) == (theirs.device, theirs.inode, theirs.size)


def read_file(path: Path, action: str) -> tuple[bytes | None, FileId | None]:
    """The bytes of ``path`` and the identity of exactly the file they came from."""
    try:
        with path.open("rb") as file:
            data = file.read()
            stat = os.fstat(file.fileno())
    except FileNotFoundError:
        return None, None
    except OSError as error:
        raise file_error(action, path, error, StateError) from error
    # A concurrent append may have grown the file since the read: the size is what was read.
    return data, FileId(file_identity(stat)._replace(size=len(data)))


@dataclass(frozen=True)
class Snapshots:
    path: Path
    backup_path: Path
    journal_path: Path

    def replace(self, state: State, backup: bytes | None, has_previous: bool, kept: int) -> FileId:
        """Write ``state`` as the snapshot and drop the journal. The backup gets ``backup``,
        or the current snapshot file if None and there ``has_previous`` one. ``kept`` is the
        serial the stored state has until this returns, for messages."""
        directory = self.path.parent
        ensure_dir(directory, StateError)
        with file_errors("list the state directory", directory, StateError):
            for target in (self.path, self.backup_path):
                remove_stray_temps(target)
        if has_previous:
            # Named on its own: a backup that cannot be written (a directory in its place)
            # fails every retry, and the state file itself was not touched.
            unchanged = f"state file {self.path} is unchanged at serial {kept}"
            with file_errors(
                "write the state backup", self.backup_path, StateError, hint=unchanged
            ):
                # The current file as the backup: a second name for it, not a copy (a large
                # state's copy cost more than the rest of a compaction).
                linked = backup is None and link_replace(self.path, self.backup_path)
            if not linked:
                if backup is None:
                    with file_errors("read state file", self.path, StateError, hint=unchanged):
                        backup = self.path.read_bytes()
                with file_errors(
                    "write the state backup", self.backup_path, StateError, hint=unchanged
                ):
                    atomic_write(self.backup_path, backup)
        if kept == state.serial:
            retry = f"the state is at serial {kept} either way; nothing is lost"
        else:
            retry = (
                f"{self.path} holds either serial {kept} or {state.serial}, never a "
                "partial file; retrying the same write is safe"
            )
        with file_errors("write state file", self.path, StateError, hint=retry):
            atomic_write(self.path, encode(state))
            written = FileId.of(os.stat(self.path))
        folded = (
            f"{self.path} holds serial {state.serial} complete; the journal's lines are older "
            "and are ignored"
        )
        with file_errors("remove the state journal", self.journal_path, StateError, hint=folded):
            if os.path.lexists(self.journal_path):
                self.journal_path.unlink()
                fsync_dir(directory)
        return written
