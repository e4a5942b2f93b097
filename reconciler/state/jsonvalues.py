"""Shape checks shared by the state model: what came from JSON must go back to JSON unchanged."""

from __future__ import annotations

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


def check_json(value: object, where: str) -> None:
    """Refuse anything json.dumps would reject or silently change (tuples, NaN, non-str keys),
    and values nested too deeply to copy or encode safely."""
    _check(value, where, where, 0)


def _check(value: object, where: str, top: str, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise ValueError(f"{top}: nested more than {MAX_DEPTH} levels deep")
    if value is None or isinstance(value, (str, bool, int)):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where}: {value!r} is not representable in JSON")
        return
    if isinstance(value, list):
        for index, item in enumerate(value):
            inner = f"{where}[{index}]"
            _check(item, inner, top if depth >= _NAMED_LEVELS else inner, depth + 1)
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{where}: key {key!r} is not a string")
            inner = field(where, key)
            _check(item, inner, top if depth >= _NAMED_LEVELS else inner, depth + 1)
        return
    raise ValueError(f"{where}: {type(value).__name__} is not a JSON value")


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
