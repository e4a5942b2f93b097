"""Fault injection: per-operation errors, throttling, resets, latency and lost responses.

Each (rule, operation) pair draws from its own RNG seeded from the plan seed, so what happens
to one operation does not depend on how other operations interleave with it.
"""

from __future__ import annotations

import fnmatch
import json
import random
import threading
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

PROBABILITIES = ("reset", "throttle_429", "error_500", "drop_response")
DROPPABLE = frozenset(
    {
        "create_basic_job",
        "create_middle_job",
        "create_advance_job",
        "create_third_party_job",
        "commit_job",
        "create_short_job",
        "commit_short_job",
    }
)


@dataclass(frozen=True)
class FaultRule:
    pattern: str
    error_500: float = 0.0
    throttle_429: float = 0.0
    retry_after: float = 1.0
    reset: float = 0.0
    latency: float = 0.0
    drop_response: float = 0.0
    times: int | None = None

    def matches(self, operation: str) -> bool:
        return fnmatch.fnmatchcase(operation, self.pattern)

    def to_json(self) -> dict[str, Any]:
        defaults = FaultRule(self.pattern)
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name != "pattern" and getattr(self, f.name) != getattr(defaults, f.name)
        }

    @classmethod
    def parse(cls, pattern: str, spec: Any) -> FaultRule:
        if not isinstance(spec, Mapping):
            raise ValueError(f"fault rule {pattern!r} must be an object")
        known = {f.name for f in fields(cls)} - {"pattern"}
        unknown = sorted(set(spec) - known)
        if unknown:
            raise ValueError(f"fault rule {pattern!r}: unknown key(s) {', '.join(unknown)}")
        values: dict[str, Any] = {}
        for key, value in spec.items():
            if key == "times":
                if value is not None and (type(value) is not int or value < 0):
                    raise ValueError(f"fault rule {pattern!r}: times must be an integer >= 0")
            elif type(value) not in (int, float) or value < 0:
                raise ValueError(f"fault rule {pattern!r}: {key} must be a number >= 0")
            elif key in PROBABILITIES and value > 1:
                raise ValueError(f"fault rule {pattern!r}: {key} is a probability (0..1)")
            values[key] = value
        return cls(pattern, **values)


@dataclass(frozen=True)
class FaultPlan:
    rules: tuple[FaultRule, ...] = ()

    @classmethod
    def parse(cls, spec: Mapping[str, Any] | str) -> FaultPlan:
        """From a mapping ``{pattern: rule}`` or its JSON text."""
        data = json.loads(spec) if isinstance(spec, str) else spec
        if not isinstance(data, Mapping):
            raise ValueError("a fault plan must be a JSON object of operation patterns")
        return cls(tuple(FaultRule.parse(str(p), rule) for p, rule in data.items()))

    @classmethod
    def load(cls, spec: str) -> FaultPlan:
        """Inline JSON (starting with ``{``) or the path of a JSON file."""
        text = spec if spec.lstrip().startswith("{") else Path(spec).read_text(encoding="utf-8")
        return cls.parse(text)

    def to_json(self) -> dict[str, Any]:
        return {rule.pattern: rule.to_json() for rule in self.rules}


@dataclass(frozen=True)
class Decision:
    latency: float = 0.0
    fault: str | None = None  # one of PROBABILITIES
    retry_after: float = 0.0


class FaultInjector:
    def __init__(self, plan: FaultPlan, seed: int) -> None:
        self._lock = threading.Lock()
        self._seed = seed
        self.set_plan(plan)

    def set_plan(self, plan: FaultPlan) -> None:
        with self._lock:
            self.plan = plan
            self._fired = [0] * len(plan.rules)
            self._rngs: dict[tuple[int, str], random.Random] = {}
            self._counts: dict[str, dict[str, int]] = {}

    def decide(self, operation: str) -> Decision:
        latency, fault, retry_after = 0.0, None, 0.0
        with self._lock:
            for index, rule in enumerate(self.plan.rules):
                if not rule.matches(operation):
                    continue
                latency += rule.latency
                rng = self._rngs.setdefault(
                    (index, operation),
                    random.Random(f"{self._seed}:{index}:{operation}"),  # noqa: S311
                )
                for kind in PROBABILITIES:
                    chance = getattr(rule, kind)
                    if chance <= 0 or (kind == "drop_response" and operation not in DROPPABLE):
                        continue
                    # Always draw, so a rule's sequence does not shift when another fires.
                    hit = rng.random() < chance
                    exhausted = rule.times is not None and self._fired[index] >= rule.times
                    if hit and fault is None and not exhausted:
                        fault, retry_after = kind, rule.retry_after
                        self._fired[index] += 1
            if fault:
                per_op = self._counts.setdefault(operation, {})
                per_op[fault] = per_op.get(fault, 0) + 1
        return Decision(latency, fault, retry_after)

    def reset_counts(self) -> None:
        """Forget what was reported, not what was spent: ``times`` budgets stay used."""
        with self._lock:
            self._counts = {}

    def fired(self) -> dict[str, dict[str, int]]:
        with self._lock:
            return {op: dict(kinds) for op, kinds in self._counts.items()}
