"""What became of each change: a result word for counting, and a detail for people."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from reconciler.plan.model import Action


class Result(str, enum.Enum):
    CREATED = "created"
    UPDATED = "updated"
    REPLACED = "replaced"
    DESTROYED = "destroyed"
    MOVED = "moved"  # a moved voice with nothing else to do
    FORGOTTEN = "forgotten"
    UNCHANGED = "unchanged"
    RESTORED = "restored"
    FAILED = "failed"
    INTERRUPTED = "interrupted"

    @classmethod
    def of(cls, action: Action, *, moved: bool = False) -> Result:
        """What a change of ``action`` did once all its steps succeeded."""
        if moved and action is Action.NOOP:
            return cls.MOVED
        return _DONE.get(action, cls.UPDATED)


_DONE = {
    Action.CREATE: Result.CREATED,
    Action.REPLACE: Result.REPLACED,
    Action.DELETE: Result.DESTROYED,
    Action.FORGET: Result.FORGOTTEN,
    Action.NOOP: Result.UNCHANGED,
    Action.RESTORE: Result.RESTORED,
}


@dataclass(frozen=True)
class Outcome:
    address: str
    action: Action
    result: Result
    detail: str = ""  # why it failed or stopped; empty when it succeeded

    @property
    def ok(self) -> bool:
        return self.result not in (Result.FAILED, Result.INTERRUPTED)

    @property
    def interrupted(self) -> bool:
        return self.result is Result.INTERRUPTED


@dataclass(frozen=True)
class ApplyResult:
    outcomes: tuple[Outcome, ...]

    @property
    def failed(self) -> list[Outcome]:
        """Changes not carried out, whether they failed or were stopped."""
        return [o for o in self.outcomes if not o.ok]

    @property
    def stopped(self) -> list[Outcome]:
        """Changes a Ctrl-C or SIGTERM stopped: the next apply finishes them."""
        return [o for o in self.outcomes if o.interrupted]

    @property
    def interrupted(self) -> bool:
        return any(o.interrupted for o in self.outcomes)

    def count(self, result: Result) -> int:
        return sum(1 for o in self.outcomes if o.result is result)
