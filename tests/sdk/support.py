"""What the official-SDK test checks beyond the SDK's own typed answers.

The SDK builds its models leniently: an answer field its model does not know is dropped
without a word, so a field the emulator invents (and the project's client might come to rely
on) would never show up in a typed response. ``unknown_fields`` walks the raw body against the
SDK's generated model metadata (``openapi_types`` / ``attribute_map``, public on every model)
and names each such field, and each value of the wrong JSON type.

``Connections`` records, through Python's audit hooks, every socket connect and name lookup
the process makes while a test runs, so the test can show that the SDK talked to the emulator
on loopback and to nothing else (no IAM project lookup, no real endpoint, no proxy).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import huaweicloudsdkmetastudio.v1.model as sdk_models

_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "bool": (bool,),
    "float": (int, float),
}
_LIST = re.compile(r"list\[(.*)\]")


def _unknown(value: Any, kind: str, where: str) -> list[str]:
    item = _LIST.fullmatch(kind)
    if item:
        if not isinstance(value, list):
            return [f"{where}: {value!r} is not a list"]
        return [p for i, v in enumerate(value) for p in _unknown(v, item[1], f"{where}[{i}]")]
    if kind == "object" or kind.startswith("dict("):
        return []
    if kind in _JSON_TYPES:
        # bool is an int to Python, never to JSON
        wrong = not isinstance(value, _JSON_TYPES[kind]) or (
            isinstance(value, bool) and kind != "bool"
        )
        return [f"{where}: {value!r} is not {kind}"] if wrong else []
    model = getattr(sdk_models, kind)
    if not model.openapi_types:  # an enum: the test turns the SDK's enum warnings into errors
        return []
    if not isinstance(value, dict):
        return [f"{where}: {value!r} is not an object ({kind})"]
    wire = {model.attribute_map[a]: t for a, t in model.openapi_types.items()}
    problems = []
    for key, inner in value.items():
        if key in wire:
            problems += _unknown(inner, wire[key], f"{where}.{key}")
        else:
            problems.append(f"{where}.{key}: not a field of the SDK's {kind}")
    return problems


def unknown_fields(response: Any) -> list[str]:
    """The raw answer's fields and values that the SDK response's model does not have."""
    raw = response.raw_content
    if not raw:
        return []
    return _unknown(json.loads(raw), type(response).__name__, "$")


@dataclass
class Connections:
    connects: list[tuple[str, int]] = field(default_factory=list)
    lookups: list[str] = field(default_factory=list)

    def hosts(self) -> set[str]:
        return {host for host, _ in self.connects} | set(self.lookups)


_recording: list[Connections] = []
_hooked = False


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not _recording:
        return
    if event == "socket.connect" and isinstance(args[1], tuple):
        _recording[-1].connects.append((str(args[1][0]), int(args[1][1])))
    elif event == "socket.getaddrinfo":
        _recording[-1].lookups.append(str(args[0]))


@contextmanager
def recording_connections() -> Iterator[Connections]:
    # An audit hook cannot be removed, so one is added per process and idles between tests.
    global _hooked
    if not _hooked:
        sys.addaudithook(_audit)
        _hooked = True
    seen = Connections()
    _recording.append(seen)
    try:
        yield seen
    finally:
        _recording.remove(seen)
