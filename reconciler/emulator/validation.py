"""Field checks of the create and submit bodies; unknown fields are ignored, as the API does."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reconciler.emulator.errors import invalid_parameter
from reconciler.emulator.model import CREATE_TYPES, LANGUAGES, SEXES, SUPPORTED_SERVICES, TAGS

_ENUMS: dict[str, Sequence[str]] = {"sex": SEXES, "language": LANGUAGES, "tag": TAGS}
_CREATE_STRINGS = (
    "description",
    "phone",
    "dhtms_job_id",
    "batch_name",
    "output_language",
    "custom_text",
)
_COMMIT_STRINGS = ("description", "phone", "app_user_id", "output_language", "custom_text")
_LONG_RECORDING_TYPES = ("ADVANCE", "THIRD_PARTY")


def _string(body: dict[str, Any], name: str) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid_parameter(name, f"must be a string, got {type(value).__name__}")
    return value


def _enum(body: dict[str, Any], name: str, allowed: Sequence[str]) -> str | None:
    value = _string(body, name)
    if value is not None and value not in allowed:
        raise invalid_parameter(name, f"must be one of {', '.join(allowed)}, got {value!r}")
    return value


def _voice_name(body: dict[str, Any], *, required: bool) -> str | None:
    name = _string(body, "voice_name")
    if name is None and not required:
        return None
    if name is None or not name.strip():
        raise invalid_parameter("voice_name", "is required and must be a non-empty string")
    return name


def _common(body: dict[str, Any], strings: Sequence[str]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for name, allowed in _ENUMS.items():
        fields[name] = _enum(body, name, allowed)
    for name in strings:
        fields[name] = _string(body, name)
    return fields


def create_fields(body: dict[str, Any], job_type: str) -> tuple[str, dict[str, Any]]:
    """Returns (create_type, attributes) of a valid create request."""
    fields = _common(body, _CREATE_STRINGS)
    fields["voice_name"] = _voice_name(body, required=True)
    create_type = _enum(body, "create_type", CREATE_TYPES) or "PACKAGE"
    if create_type == "SEGMENT" and job_type in _LONG_RECORDING_TYPES:
        raise invalid_parameter(
            "create_type", f"SEGMENT is not supported for {job_type} jobs (zip package only)"
        )
    ondemand = body.get("is_ondemand_resource")
    if ondemand is not None and not isinstance(ondemand, bool):
        raise invalid_parameter("is_ondemand_resource", "must be a boolean")
    fields["is_ondemand_resource"] = ondemand
    services = body.get("supported_service")
    if services is not None and (
        not isinstance(services, list) or any(s not in SUPPORTED_SERVICES for s in services)
    ):
        raise invalid_parameter(
            "supported_service", f"must be a list of {', '.join(SUPPORTED_SERVICES)}"
        )
    fields["supported_service"] = services
    return create_type, {k: v for k, v in fields.items() if v is not None}


def commit_fields(body: dict[str, Any] | None) -> dict[str, Any]:
    if not body:
        return {}
    fields = _common(body, _COMMIT_STRINGS)
    fields["voice_name"] = _voice_name(body, required=False)
    return {k: v for k, v in fields.items() if v is not None}
