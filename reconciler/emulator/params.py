"""Strict parsing of bodies and query parameters, failing the way the real service does."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from reconciler.emulator.errors import (
    INVALID_BODY,
    JSON_CONTENT_TYPE,
    ApiError,
    invalid_parameter,
)
from reconciler.emulator.wire import Request


def app_user_id(request: Request) -> str | None:
    """The optional X-App-UserId: "third-party user ID, Chinese characters not allowed".
    Header bytes arrive as Latin-1, so Chinese sent as UTF-8 shows as other non-ASCII."""
    value = request.header("X-App-UserId")
    if value and not value.isascii():
        raise invalid_parameter("X-App-UserId", "must not contain Chinese (non-ASCII) characters")
    return value or None


def json_body(request: Request, *, required: bool) -> dict[str, Any] | None:
    if not request.body:
        if required:
            raise ApiError(400, INVALID_BODY, "Invalid body: a JSON object is required")
        return None
    content_type = (request.header("Content-Type") or "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise ApiError(
            400,
            JSON_CONTENT_TYPE,
            "Request JSON exception: send the body with Content-Type: application/json",
        )
    try:
        data = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ApiError(400, INVALID_BODY, f"Invalid body: not valid JSON ({error})") from None
    if not isinstance(data, dict):
        raise ApiError(400, INVALID_BODY, "Invalid body: expected a JSON object")
    return data


def int_param(request: Request, name: str, default: int | None, low: int, high: int) -> int:
    raw = request.query_one(name)
    if raw is None or raw == "":
        if default is None:
            raise invalid_parameter(name, "is required")
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid_parameter(name, f"must be an integer, got {raw!r}") from None
    if not low <= value <= high:
        raise invalid_parameter(name, f"must be between {low} and {high}, got {value}")
    return value


def enum_param(request: Request, name: str, allowed: Sequence[str], default: str) -> str:
    raw = request.query_one(name)
    if raw is None or raw == "":
        return default
    if raw not in allowed:
        raise invalid_parameter(name, f"must be one of {', '.join(allowed)}, got {raw!r}")
    return raw


def list_param(request: Request, name: str, allowed: Sequence[str] | None = None) -> set[str]:
    """Repeated and comma-separated values, e.g. ``state=FAILED,WAITING``."""
    values = {v.strip() for raw in request.query_all(name) for v in raw.split(",") if v.strip()}
    if allowed is not None:
        bad = sorted(values - set(allowed))
        if bad:
            raise invalid_parameter(name, f"has unknown value(s) {', '.join(bad)}")
    return values


def bool_param(request: Request, name: str) -> bool | None:
    raw = request.query_one(name)
    if raw is None or raw == "":
        return None
    if raw.lower() not in ("true", "false"):
        raise invalid_parameter(name, f"must be true or false, got {raw!r}")
    return raw.lower() == "true"


def time_param(request: Request, name: str) -> float | None:
    """RFC 3339 such as ``2021-01-10T08:43:17Z``; a time without a zone is refused."""
    raw = request.query_one(name)
    if raw is None or raw == "":
        return None
    text = raw[:-1] + "+00:00" if raw.endswith(("Z", "z")) else raw
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None or "T" not in raw.upper():
        raise invalid_parameter(name, f"must be RFC 3339 like 2021-01-10T08:43:17Z, got {raw!r}")
    return parsed.astimezone(timezone.utc).timestamp()
