"""Shape checks shared by the state model: what came from JSON must go back to JSON unchanged."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any, TypeVar

T = TypeVar("T")

# Far deeper than anything reconciler writes, and shallow enough that copying and encoding a
# value never meets Python's recursion limit.
MAX_DEPTH = 64
_NAMED_LEVELS = 4  # how much of the path to a too-deep value its error shows


def field(where: str, key: str) -> str:
    """``where.key`` for error messages; a key from a damaged file may hold newlines or be huge,
    and a message stays one short line."""
    if key.isprintable() and len(key) <= 64:
        return f"{where}.{key}"
    return f"{where}[{key[:64]!a}{'...' if len(key) > 64 else ''}]"


def shown(text: str) -> str:
    """A value from a damaged file, quoted for a one-line message whatever it holds."""
    return ascii(text[:64]) + ("..." if len(text) > 64 else "")


def load_json(data: bytes | str) -> Any:
    """``json.loads``, with too-deep nesting a ValueError like any other bad text: the decoder
    recurses once per bracket, and a damaged or hostile file must not end in RecursionError.
    Every reader of state, journal and lock files parses through this."""
    try:
        return json.loads(data)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def check_json(value: object, where: str) -> None:
    """Refuse anything json.dumps would reject or silently change (tuples, NaN, non-str keys),
    and values nested too deeply to copy or encode safely."""
    try:
        _check(value, 0)
    except _Invalid as bad:
        raise ValueError(bad.message(where)) from None


class _Invalid(Exception):
    """A bad value found ``path`` (innermost first) below the checked one. The path's text is
    made only for the error: building it for every value doubled the cost of reading a state."""

    def __init__(self, problem: str, *, too_deep: bool = False) -> None:
        self.problem = problem
        self.too_deep = too_deep
        self.path: list[str | int] = []

    def message(self, where: str) -> str:
        steps = self.path[::-1]
        if self.too_deep:
            steps = steps[:_NAMED_LEVELS]
        for step in steps:
            where = f"{where}[{step}]" if isinstance(step, int) else field(where, step)
        return f"{where}: {self.problem}"


def _check(value: object, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise _Invalid(f"nested more than {MAX_DEPTH} levels deep", too_deep=True)
    if value is None or isinstance(value, (str, bool, int)):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Invalid(f"{value!r} is not representable in JSON")
        return
    if isinstance(value, list):
        for index, item in enumerate(value):
            try:
                _check(item, depth + 1)
            except _Invalid as bad:
                bad.path.append(index)
                raise
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise _Invalid(f"key {key!r} is not a string")
            try:
                _check(item, depth + 1)
            except _Invalid as bad:
                bad.path.append(key)
                raise
        return
    raise _Invalid(f"{type(value).__name__} is not a JSON value")


def required(data: Mapping[str, Any], key: str, kind: type[T], where: str) -> T:
    if key not in data:
        raise ValueError(f"{where}: missing field {key!r}")
    return typed(data[key], kind, f"{where}.{key}")


def optional(data: Mapping[str, Any], key: str, kind: type[T], where: str) -> T | None:
    value = data.get(key)
    return None if value is None else typed(value, kind, f"{where}.{key}")


def typed(value: object, kind: type[T], where: str) -> T:
    # bool is an int subclass; a serial of true is a corrupt file, not 1.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(f"{where}: expected {kind.__name__}, got {type(value).__name__}")
    return value
