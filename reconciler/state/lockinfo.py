"""Who holds the state lock: written beside the OS lock so a waiting run can name the holder."""

from __future__ import annotations

import dataclasses
import getpass
import json
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler import __version__
from reconciler.fsutil import atomic_write
from reconciler.state.errors import LockError
from reconciler.state.jsonvalues import load_json, required, typed
from reconciler.timestamps import rfc3339


@dataclass(frozen=True, kw_only=True)
class LockInfo:
    id: str
    operation: str
    who: str
    host: str
    pid: int
    created: str
    path: str
    version: str

    def describe(self) -> str:
        return (
            f"lock ID {self.id}, held by {self.who} (pid {self.pid}) "
            f"for '{self.operation}' since {self.created}"
        )

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: object) -> LockInfo:
        data = typed(data, dict, "lock")
        text = {
            f.name: required(data, f.name, str, "lock")
            for f in dataclasses.fields(cls)
            if f.name != "pid"
        }
        return cls(pid=required(data, "pid", int, "lock"), **text)


# Asked with the holder's details before a force-unlock removes its lock; False keeps it.
Confirm = Callable[[LockInfo], bool]


def new_lock_info(operation: str, state_path: Path, now: float) -> LockInfo:
    host = socket.gethostname()
    return LockInfo(
        id=str(uuid.uuid4()),
        operation=operation,
        who=f"{_user()}@{host}",
        host=host,
        pid=os.getpid(),
        created=rfc3339(now),
        path=str(state_path),
        version=__version__,
    )


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # containers often run as a uid with no passwd entry
        return str(os.getuid())


def write_lock_info(path: Path, info: LockInfo) -> None:
    data = json.dumps(info.to_dict(), indent=2, sort_keys=True) + "\n"
    atomic_write(path, data.encode("utf-8"))


def read_lock_info(path: Path) -> LockInfo | None:
    """None when there is no readable info: a holder may be between locking and writing it."""
    try:
        return LockInfo.from_dict(load_json(path.read_bytes()))
    except (OSError, ValueError, TypeError):
        return None


def check_unlock(
    holder: LockInfo | None,
    lock_id: str,
    where: str,
    confirm: Confirm | None,
    *,
    unnamed: str = "its holder has not recorded who it is",
    unnamed_hint: str = "the holder may be starting; retry in a moment",
) -> LockInfo:
    """The holder force-unlock may remove: the one named ``lock_id``, once ``confirm`` agrees.

    Every backend asks the same: is the lock ID the holder's, and does the user still want it
    gone having seen who holds it? Refusals are LockErrors saying what to do instead."""
    if holder is None:
        raise LockError(
            f"state {where} is locked, but {unnamed}, so lock ID {lock_id} cannot be checked",
            hint=unnamed_hint,
        )
    if holder.id != lock_id:
        raise LockError(
            f"lock ID {lock_id} does not match the lock on state {where}: {holder.describe()}",
            hint=f"to remove that lock, run `reconciler force-unlock {holder.id}`",
        )
    if confirm is not None and not confirm(holder):
        raise LockError(f"force-unlock cancelled; {holder.describe()} is left in place")
    return holder
