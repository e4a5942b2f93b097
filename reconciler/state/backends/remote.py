"""What the remote backends share: retries with backoff, the based-on check, lock waiting.

Retries are for errors after which the store is unchanged or can be read back (5xx,
resets, timeouts). A write whose outcome is unknown is never simply sent again: each
backend reads back what is stored and decides (see s3.py and postgres.py).
"""

from __future__ import annotations

import dataclasses
import random
import time
from collections.abc import Callable
from typing import TypeVar

from reconciler.state.errors import LockBusy, StateError
from reconciler.state.lockinfo import LockInfo, new_lock_info
from reconciler.state.model import State

T = TypeVar("T")
ATTEMPTS = 5
_BASE_DELAY = 0.2
_MAX_DELAY = 5.0
LOCK_POLL_SECONDS = 0.25
_rng = random.Random()  # noqa: S311 (jitter, not secrets)


def backoff(attempt: int) -> float:
    """Full jitter over an exponential ceiling (attempt counts from 1)."""
    return _rng.uniform(0, min(_MAX_DELAY, _BASE_DELAY * 2 ** (attempt - 1)))


def retrying(
    call: Callable[[], T],
    is_transient: Callable[[BaseException], bool],
    what: str,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """``call()``, again after a transient error, up to ATTEMPTS times; then StateError."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return call()
        except Exception as error:
            if not is_transient(error):
                raise
            if attempt == ATTEMPTS:
                raise StateError(
                    f"{what} failed {ATTEMPTS} times: {describe_error(error)}",
                    hint="the store is unavailable; rerun when it answers again",
                ) from None
            sleep(backoff(attempt))
    raise AssertionError("unreachable")


def describe_error(error: BaseException) -> str:
    # Only the class and the first line: drivers put connection strings in some messages.
    first = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {first}" if first else type(error).__name__


def check_based_on(stored: State | None, state: State, where: str) -> None:
    """StateError unless ``state`` was derived from what is stored now."""
    hint = "another run changed the state without holding the lock; rerun to use its changes"
    stored_serial = 0 if stored is None else stored.serial
    if stored is not None and stored.serial > 0 and stored.lineage != state.lineage:
        raise StateError(
            f"state {where} now belongs to lineage {stored.lineage}, "
            f"not {state.lineage} that this run read",
            hint=hint,
        )
    if stored_serial != state.serial:
        raise StateError(
            f"state {where} is at serial {stored_serial}, but this run read serial {state.serial}",
            hint=hint,
        )


def lock_info(operation: str, where: str, now: float) -> LockInfo:
    from pathlib import Path

    return dataclasses.replace(new_lock_info(operation, Path(), now), path=where)


def busy_error(where: str, holder: LockInfo | None, waited: float) -> LockBusy:
    after = f" after waiting {waited:g}s" if waited > 0 else ""
    if holder is None:
        return LockBusy(
            f"state {where} is locked by another run{after}; it has not recorded who it is",
            holder=None,
            hint="retry with a longer --lock-timeout",
        )
    return LockBusy(
        f"state {where} is locked{after}: {holder.describe()}",
        holder=holder,
        hint=(
            "wait for that run or retry with a longer --lock-timeout; if it is dead or hung "
            f"(its lock is from {holder.created}), run `reconciler force-unlock {holder.id}` "
            "to remove the lock"
        ),
    )


def wait_for(
    attempt: Callable[[], bool],
    timeout: float,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Call ``attempt`` until it returns True or ``timeout`` passes (0: once, <0: forever)."""
    deadline = clock() + timeout
    while True:
        if attempt():
            return True
        if timeout >= 0 and clock() + LOCK_POLL_SECONDS > deadline:
            return False
        sleep(LOCK_POLL_SECONDS)
