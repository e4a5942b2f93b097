"""What a run waiting for the state lock says (on stderr, so stdout keeps its format): who
holds it and since when, then a line every few seconds until it is taken or the wait fails."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

from reconciler.environment import Environment
from reconciler.printable import printable
from reconciler.state import LockInfo
from reconciler.views.heartbeat import Heartbeat, duration


def holder_text(holder: LockInfo | None) -> str:
    if holder is None:
        return "another run (it has not said who it is yet)"
    return (
        f"{holder.who} (pid {holder.pid}, '{holder.operation}', lock ID {holder.id}) "
        f"since {holder.created}"
    )


def lock_wait_lines(
    env: Environment, *, sleep: Callable[[float], None] | None = None
) -> Callable[[LockInfo | None, float], AbstractContextManager[None]]:
    """The ``on_wait`` of operations.locking.state_lock, for text and JSON runs alike."""

    def say(text: str) -> None:
        env.err(printable(text))

    @contextmanager
    def waiting(holder: LockInfo | None, timeout: float) -> Iterator[None]:
        who = holder_text(holder)
        started = env.clock()
        say(f"waiting for the state lock held by {who} (up to {timeout:g}s)...")
        heartbeat = Heartbeat(say, env.progress_interval, env.clock, sleep=sleep)
        heartbeat.follow(
            lambda: (
                f"still waiting for the state lock held by {who}: "
                f"{duration(env.clock() - started)} of {timeout:g}s"
            )
        )
        try:
            yield
        finally:
            heartbeat.close()
        say(f"state lock taken after {duration(env.clock() - started)}")

    return waiting
