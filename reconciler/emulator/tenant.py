"""What one tenant of the emulated service is allowed: the tenant file of ``--tenant FILE``.

    {"durations": {"basic_min": 60, "basic_max": 600, ...},
     "quotas": {"basic": 3, "middle": 1, "advance": 1, "third_party_cmww": 0}}

``durations`` holds any of the fields of op 17 (tenant-duration-cfg), seconds of audio per
edition; fields left out keep the defaults below. ``quotas`` holds how many training
resources the tenant bought per edition, keyed by the wire names of the quotas operation's
``resource_available_nums``; editions left out get ``DEFAULT_QUOTA``, generous enough that
only a tenant file that means it runs short. How submits consume them: ``resources.py``.

The defaults are the emulator's reading of the recording guide, not numbers the service
publishes: basic 3 to 10 minutes, advanced (middle) 10 to 30, premium (advance) an hour or
more, third-party (cmww, ljzn) about 5 minutes; flexus is undocumented and taken as basic.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

EDITIONS = ("basic", "middle", "advance", "flexus", "cmww", "ljzn")
DURATION_FIELDS = (
    *(f"{edition}_{suffix}" for edition in EDITIONS for suffix in ("min", "max", "advice_value")),
    "short_assess_min",
    "short_assess_max",
)
DEFAULT_DURATIONS = MappingProxyType(
    {
        "basic_min": 180,
        "basic_max": 600,
        "basic_advice_value": 300,
        "middle_min": 600,
        "middle_max": 1800,
        "middle_advice_value": 1200,
        "advance_min": 3600,
        "advance_max": 18000,
        "advance_advice_value": 3600,
        "flexus_min": 180,
        "flexus_max": 600,
        "flexus_advice_value": 300,
        "cmww_min": 240,
        "cmww_max": 900,
        "cmww_advice_value": 300,
        "ljzn_min": 240,
        "ljzn_max": 900,
        "ljzn_advice_value": 300,
        "short_assess_min": 10,
        "short_assess_max": 60,
    }
)
# Which op-17 prefix limits each job type's total audio.
DURATION_PREFIX = {
    "BASIC": "basic",
    "MIDDLE": "middle",
    "ADVANCE": "advance",
    "FLEXUS": "flexus",
    "THIRD_PARTY": "cmww",
    "THIRD_PARTY_LJZN": "ljzn",
}
# The quotas operation's resource_available_nums keys, and the job types each one meters.
QUOTA_EDITIONS = ("basic", "middle", "middle_on_demand", "advance", "third_party_cmww", "flexus")
DEFAULT_QUOTA = 1000
SECTIONS = ("durations", "quotas")


class TenantFileError(ValueError):
    """The tenant file cannot be used; the text names the file and the field."""


@dataclass(frozen=True)
class Tenant:
    durations: Mapping[str, int] = field(default_factory=lambda: DEFAULT_DURATIONS)
    quotas: Mapping[str, int] = field(
        default_factory=lambda: MappingProxyType(dict.fromkeys(QUOTA_EDITIONS, DEFAULT_QUOTA))
    )

    def duration_range(self, job_type: str) -> tuple[int, int] | None:
        """(min, max) seconds of audio for this job type, or None if it has no limits."""
        prefix = DURATION_PREFIX.get(job_type)
        if prefix is None:
            return None
        return self.durations[f"{prefix}_min"], self.durations[f"{prefix}_max"]

    def duration_cfg(self, tenant_id: str) -> dict[str, Any]:
        """The body of op 17."""
        return {"tenant_id": tenant_id, **self.durations}

    @classmethod
    def from_dict(cls, data: object, source: str = "tenant") -> Tenant:
        if not isinstance(data, dict):
            raise TenantFileError(f"{source}: must be a JSON object")
        for key in data:
            if key not in SECTIONS:
                raise TenantFileError(
                    f"{source}: {key}: unknown section (known: {', '.join(SECTIONS)})"
                )
        durations = data.get("durations", {})
        if not isinstance(durations, dict):
            raise TenantFileError(f"{source}: durations: must be an object")
        merged = dict(DEFAULT_DURATIONS)
        for key, value in durations.items():
            if key not in DURATION_FIELDS:
                raise TenantFileError(f"{source}: durations.{key}: unknown field")
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise TenantFileError(
                    f"{source}: durations.{key}: must be a whole number of seconds >= 0"
                )
            merged[key] = value
        for edition in (*EDITIONS, "short_assess"):
            low, high = merged[f"{edition}_min"], merged[f"{edition}_max"]
            if low > high:
                raise TenantFileError(
                    f"{source}: durations.{edition}_min ({low}) is above {edition}_max ({high})"
                )
        return cls(durations=MappingProxyType(merged), quotas=_quotas(data, source))

    @classmethod
    def load(cls, path: Path) -> Tenant:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise TenantFileError(f"{path}: cannot read: {error.strerror or error}") from None
        except UnicodeDecodeError:
            raise TenantFileError(f"{path}: not UTF-8 text") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise TenantFileError(
                f"{path}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}"
            ) from None
        return cls.from_dict(data, str(path))


def _quotas(data: dict[str, Any], source: str) -> Mapping[str, int]:
    quotas = data.get("quotas", {})
    if not isinstance(quotas, dict):
        raise TenantFileError(f"{source}: quotas: must be an object")
    merged = dict.fromkeys(QUOTA_EDITIONS, DEFAULT_QUOTA)
    for key, value in quotas.items():
        if key not in QUOTA_EDITIONS:
            raise TenantFileError(
                f"{source}: quotas.{key}: unknown edition (known: {', '.join(QUOTA_EDITIONS)})"
            )
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise TenantFileError(f"{source}: quotas.{key}: must be a whole number >= 0")
        merged[key] = value
    return MappingProxyType(merged)
