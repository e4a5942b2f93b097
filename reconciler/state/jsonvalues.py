"""Shape checks shared by the state model: what came from JSON must go back to JSON unchanged."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, TypeVar

T = TypeVar("T")


def check_json(value: object, where: str) -> None:
    """Refuse anything json.dumps would reject or silently change (tuples, NaN, non-str keys)."""
    if value is None or isinstance(value, (str, bool, int)):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{where}: {value!r} is not representable in JSON")
        return
    if isinstance(value, list):
        for index, item in enumerate(value):
            check_json(item, f"{where}[{index}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{where}: key {key!r} is not a string")
            check_json(item, f"{where}.{key}")
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
