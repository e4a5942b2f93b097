"""Poll until every voice is finished or stuck, at intervals that grow with the wait.

Training takes hours: polling every 5 s for all of it would spend the query budget on
nothing, so the interval grows by ``backoff`` up to ``max_poll``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection

from reconciler.errors import ReconcilerError
from reconciler.metastudio import MetaStudioClient, MetaStudioError
from reconciler.state import State
from reconciler.status.collect import collect
from reconciler.status.model import VoiceStatus

MAX_FAILED_POLLS = 3  # consecutive polls that may fail before the wait gives up

OnUpdate = Callable[[list[VoiceStatus]], None]
OnError = Callable[[ReconcilerError], None]


class WaitTimeout(ReconcilerError):
    """The time ran out; ``statuses`` is the last observation, for showing where things stand."""

    def __init__(self, statuses: list[VoiceStatus], timeout: float) -> None:
        self.statuses = statuses
        waiting = [s for s in statuses if not s.settled]
        listed = ", ".join(f"{s.address} ({s.state or 'unknown'})" for s in waiting)
        super().__init__(
            f"timed out after {timeout:g} s; still in progress: {listed}",
            hint="training goes on in MetaStudio; check again later with `reconciler status`",
        )


def _transient(error: ReconcilerError) -> bool:
    status = getattr(error, "status", None)
    return isinstance(error, MetaStudioError) and (status is None or status >= 500 or status == 429)


def wait(
    client: MetaStudioClient,
    read_state: Callable[[], State],
    names: Collection[str] | None,
    *,
    on_update: OnUpdate,
    poll: float = 5.0,
    max_poll: float = 60.0,
    backoff: float = 1.5,
    timeout: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    on_error: OnError | None = None,
) -> list[VoiceStatus]:
    """Statuses once every voice is settled; WaitTimeout when ``timeout`` s pass first.

    The state is read again before every poll so a voice that a concurrent apply re-creates is
    followed to its new job. A poll that fails transiently (after the client's own retries) is
    reported to ``on_error`` and skipped, up to MAX_FAILED_POLLS in a row.
    """
    if poll <= 0 or max_poll < poll or backoff < 1:
        raise ValueError("need 0 < poll <= max_poll and backoff >= 1")
    start = clock()
    interval = poll
    statuses: list[VoiceStatus] = []
    failures = 0
    while True:
        try:
            statuses = collect(client, read_state(), names)
            failures = 0
        except MetaStudioError as error:
            failures += 1
            if not _transient(error) or failures >= MAX_FAILED_POLLS or on_error is None:
                raise
            on_error(error)
        else:
            on_update(statuses)
            if all(s.settled for s in statuses):
                return statuses
        pause = interval
        if timeout is not None:
            remaining = timeout - (clock() - start)
            if remaining <= 0:
                raise WaitTimeout(statuses, timeout)
            pause = min(interval, remaining)
        sleep(pause)
        interval = min(interval * backoff, max_poll)
