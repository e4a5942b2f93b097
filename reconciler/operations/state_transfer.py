"""state pull / push / migrate: a whole state in or out of the configured backend.

Push and migrate hold the lock and write through the backend, so its compare-and-swap
applies. ``force`` keeps the stored lineage and serial as the base of the write: the pushed
voices replace the stored ones, and the history (backup, history table) keeps the old ones.

A local state file is read as the local backend reads it: the snapshot with its journal
replayed. After a killed apply the journal holds the newest records (a job ID among them),
which the snapshot alone does not. Reading never folds the journal in: the source is only
copied from, and a fold would replace its snapshot and its backup (the one older version
the user may still need), while the journal loses nothing by staying where it is.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from pathlib import Path

from reconciler.addresses import address_of
from reconciler.operations.locking import LockWaits, state_lock
from reconciler.state.backend import StateBackend
from reconciler.state.backends.local import LocalStateBackend
from reconciler.state.codec import encode
from reconciler.state.errors import StateError
from reconciler.state.model import State

_NAMED = 5  # differing voices a refusal names before "and N more"


def pull_state(backend: StateBackend) -> bytes:
    """The stored state as the local backend would write it."""
    return encode(backend.read())


def read_local_state(path: Path) -> State:
    """The state file at ``path`` with the journal beside it replayed; nothing is written."""
    return _read(LocalStateBackend(path), path)


def _read(source: LocalStateBackend, path: Path) -> State:
    state = source.read()
    if not source.path.exists():  # read() gives an empty state for a missing file
        raise StateError(f"cannot read state file {path}: no such file")
    return state


def push_state(
    backend: StateBackend,
    pushed: State,
    *,
    force: bool,
    lock_timeout: float,
    on_wait: LockWaits | None = None,
) -> State:
    """Store ``pushed`` (whose serial is the one it was pulled at) in place of the stored one."""
    with state_lock(backend, "state push", lock_timeout, on_wait):
        stored = backend.read()
        if stored.serial == 0:
            base = dataclasses.replace(pushed, serial=0)
        elif force:
            base = dataclasses.replace(pushed, lineage=stored.lineage, serial=stored.serial)
        elif stored.lineage != pushed.lineage:
            raise StateError(
                f"state {backend.describe()} is lineage {stored.lineage}, but the pushed state "
                f"is lineage {pushed.lineage}: they are different states",
                hint="pass --force to replace it anyway (the old version is kept as a backup)",
            )
        elif pushed.serial < stored.serial:
            raise StateError(
                f"state {backend.describe()} is at serial {stored.serial}, newer than the "
                f"pushed state's serial {pushed.serial}: pushing would undo its changes",
                hint="pull the state again and redo your edit, or pass --force",
            )
        else:
            base = dataclasses.replace(pushed, serial=stored.serial)
        return backend.write(base)


@dataclass(frozen=True)
class Migrated:
    state: State  # as stored in the backend, holding everything the local file held
    already: bool  # an earlier migrate had copied it: nothing was written


def migrate_state(
    backend: StateBackend, source: Path, *, lock_timeout: float, on_wait: LockWaits | None = None
) -> Migrated:
    """Copy the local state at ``source`` (snapshot + journal) into ``backend``.

    Idempotent: a backend already holding exactly that state is left as it is. A backend
    holding the same lineage with other contents is refused, whichever side changed: the
    serials of the two copies are not comparable (the backend counts its own writes from
    the migration on), and writing would undo the other side's changes.
    """
    local_backend = LocalStateBackend(source)
    if isinstance(backend, LocalStateBackend) and _same_file(backend.path, local_backend.path):
        raise StateError(
            f"{source} is the state the configuration already uses; there is nothing to migrate",
            hint="point the config's state section at the new backend first",
        )
    # The source's lock too: an apply still running on it would change it after the copy.
    with state_lock(local_backend, "state migrate", lock_timeout, on_wait):
        local = _read(local_backend, source)
        with state_lock(backend, "state migrate", lock_timeout, on_wait):
            stored = backend.read()
            already = stored.serial > 0 and _same_content(stored, local)
            if not already:
                _check_migratable(backend, stored, local, source)
                backend.write(dataclasses.replace(local, serial=stored.serial))
                stored = backend.read()
            if not _same_content(stored, local):
                raise StateError(  # another writer got in after the write: say so, claim nothing
                    f"state {backend.describe()} changed while {source} was migrated into it",
                    hint=f"keep {source}; run `reconciler state migrate` again to compare",
                )
        if not _same_content(_read(local_backend, source), local):
            raise StateError(
                f"state file {source} changed while it was migrated (a run that did not hold "
                "its lock?)",
                hint=f"keep {source}; run `reconciler state migrate` again once nothing uses it",
            )
    return Migrated(stored, already)


def _check_migratable(backend: StateBackend, stored: State, local: State, source: Path) -> None:
    if stored.serial == 0:
        return
    if stored.lineage != local.lineage:
        raise StateError(
            f"state {backend.describe()} already holds lineage {stored.lineage}, not "
            f"{local.lineage} of {source}: migrating would replace another state",
            hint="point state at an empty location, or use `state push --force` on purpose",
        )
    raise StateError(
        f"state {backend.describe()} (serial {stored.serial}) already holds this lineage, but "
        f"its voices differ from {source} (serial {local.serial}): {_differing(stored, local)}; "
        "it changed since the earlier migrate (or the file did), and migrating again would "
        "undo those changes",
        hint=f"keep using the backend; to carry over what only {source} has, run "
        "`reconciler state pull > merged.json`, add it to merged.json and run "
        "`reconciler state push merged.json`",
    )


def _same_file(one: Path, other: Path) -> bool:
    return os.path.realpath(one) == os.path.realpath(other)


def _same_content(one: State, other: State) -> bool:
    return (one.lineage, dict(one.voices), one.extra) == (
        other.lineage,
        dict(other.voices),
        other.extra,
    )


def _differing(stored: State, local: State) -> str:
    names = sorted(
        name
        for name in stored.voices.keys() | local.voices.keys()
        if stored.voices.get(name) != local.voices.get(name)
    )
    shown = ", ".join(address_of(name) for name in names[:_NAMED])
    more = f" and {len(names) - _NAMED} more" if len(names) > _NAMED else ""
    return f"{shown}{more}" if names else "their other contents differ"
