"""jsonschema errors rewritten for people who write YAML, not JSON Schema.

Messages never echo a string value that failed a pattern: the phone number is personal data.
Custom texts come from the schema itself (``errorMessage``, ``patternErrorMessage``, the keys
editors read too), so the CLI and the editor say the same thing.
"""

from __future__ import annotations

import datetime
import difflib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from jsonschema.exceptions import ValidationError

from reconciler.config.loader import NodePath

_TYPE_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "empty",
}


@dataclass(frozen=True)
class Problem:
    message: str
    subpath: NodePath = ()
    at_key: bool = False  # point at the key (unknown/missing fields) rather than the value


def _instance(error: ValidationError) -> Any:
    """The value that failed: always set on the errors a validator reports (the stubs allow
    an unset one for errors made by hand)."""
    return error.instance


def _expected(error: ValidationError) -> Any:
    """What the failed keyword asked for (the list of an enum, the type of a type)."""
    return error.validator_value


def describe(error: ValidationError, places: Mapping[str, list[str]]) -> list[Problem]:
    schema = error.schema if isinstance(error.schema, dict) else {}
    custom = schema.get("errorMessage")
    kind = error.validator
    if "propertyNames" in error.relative_schema_path:
        text = schema.get("patternErrorMessage") or f"does not match {schema.get('pattern')}"
        return [Problem(f"'{_instance(error)}' {text}", (_instance(error),), at_key=True)]
    if kind == "additionalProperties":
        return list(_unknown_fields(error, schema, places))
    if kind == "required":
        missing = [name for name in _expected(error) if name not in _instance(error)]
        return [Problem(f"missing required field '{name}'", at_key=True) for name in missing]
    if kind == "pattern":
        text = schema.get("patternErrorMessage") or custom
        return [Problem(text or f"does not match the pattern {_expected(error)}")]
    if isinstance(custom, str):
        return [Problem(custom)]
    if kind == "type":
        return [Problem(_wrong_type(_expected(error), _instance(error)))]
    if kind == "enum":
        return [Problem(_not_one_of(_instance(error), _expected(error)))]
    if kind == "const":
        return [Problem(f"must be {_show(_expected(error))}")]
    if kind == "minLength":
        return [Problem("must not be empty")]
    if kind in ("oneOf", "anyOf"):
        return [Problem(_one_of(error))]
    return [Problem(error.message)]


def _unknown_fields(
    error: ValidationError, schema: dict[str, Any], places: Mapping[str, list[str]]
) -> Iterator[Problem]:
    known = list(schema.get("properties", {}))
    for name in _instance(error):
        if name in known:
            continue
        message = f"unknown field '{name}'"
        if tuple(error.absolute_path) == ("defaults",) and name == "voice_name":
            message = "voice_name cannot have a default: every voice needs its own"
        elif hint := _suggestion(str(name), known):
            message += f" (did you mean '{hint}'?)"
        elif where := places.get(str(name)):
            spots = [f"under {place}" if place else "at the top level" for place in where[:2]]
            message += f" (it belongs {' or '.join(spots)})"
        yield Problem(message, (name,), at_key=True)


def _suggestion(word: str, candidates: list[str]) -> str | None:
    for candidate in candidates:
        if candidate.lower() == word.lower().replace("-", "_"):
            return candidate
    close = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return close[0] if close else None


def field_places(root: dict[str, Any]) -> dict[str, list[str]]:
    """Where each field name is allowed, to say where a misplaced field belongs."""
    places: dict[str, list[str]] = {}
    _walk(root, root, "", places, 0)
    return places


def _walk(
    root: dict[str, Any], schema: dict[str, Any], label: str, out: dict[str, list[str]], depth: int
) -> None:
    if depth > 8:
        return
    ref = schema.get("$ref", "")
    if ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target[part]
        _walk(root, target, label, out, depth + 1)
    for name, sub in schema.get("properties", {}).items():
        if label not in out.setdefault(name, []):
            out[name].append(label)
        _walk(root, sub, f"{label}.{name}" if label else name, out, depth + 1)
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        _walk(root, extra, f"{label}.<name>", out, depth + 1)


def _wrong_type(expected: str | list[str], value: Any) -> str:
    names = [expected] if isinstance(expected, str) else list(expected)
    wanted = " or ".join(_TYPE_WORDS.get(name, name) for name in names)
    if value is None:
        return f"is empty; it must be {wanted}"
    message = f"must be {wanted}, not {_type_of(value)}"
    if "string" in names and isinstance(value, bool):
        message += " (YAML reads yes/no/on/off/true/false as booleans: quote the text)"
    elif "string" in names and isinstance(value, int | float | datetime.date):
        message += " (quote it to keep it as text)"
    return message


def _type_of(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, datetime.date):
        return "a date"
    for kind, word in ((dict, "a mapping"), (list, "a list"), (str, "a string")):
        if isinstance(value, kind):
            return word
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    return type(value).__name__


def _not_one_of(value: Any, options: list[Any]) -> str:
    message = f"{_show(value)} is not one of {', '.join(str(o) for o in options)}"
    if isinstance(value, str):
        hint = _suggestion(value, [str(o) for o in options])
        if hint is not None:
            message += f" (did you mean '{hint}'?)"
    return message


def _one_of(error: ValidationError) -> str:
    branches = _expected(error)
    names = [b["required"][0] for b in branches if list(b) == ["required"] and b["required"]]
    if len(names) != len(branches) or not isinstance(_instance(error), dict):
        return str(error.message)
    present = [name for name in names if name in _instance(error)]
    choices = f"{', '.join(names[:-1])} or {names[-1]}"
    if not present:
        return f"needs one of {choices}"
    return f"{' and '.join(present)} are mutually exclusive: set only one of {choices}"


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value) if isinstance(value, int | float) else _type_of(value)
