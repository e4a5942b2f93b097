"""Op 17 (show_tenant_duration_cfg): the seconds of training audio this tenant's editions take.

This is the one reading of that response body; callers use the typed result, never ``raw``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from reconciler.metastudio.models import Raw

# The API's own prefixes: middle is Advanced, advance is Premium, cmww is Mobvoi (THIRD_PARTY),
# ljzn is AudioX; flexus has no create operation. The naming trap is section 0 of the API doc.
DURATION_EDITIONS = ("basic", "middle", "advance", "flexus", "cmww", "ljzn")


def _seconds(raw: Raw, key: str) -> float | None:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:  # an int beyond a float's range: no usable limit
        return None
    return number if math.isfinite(number) and number >= 0 else None


@dataclass(frozen=True)
class DurationRange:
    """Seconds of training audio one edition accepts; None where no usable value came."""

    min: float | None
    max: float | None
    advice_value: float | None


@dataclass(frozen=True)
class TenantDurations:
    """The body of op 17, read once. ``editions`` is keyed by the API's prefixes
    (``DURATION_EDITIONS``), every one present.

    Number rules, the same for every field: the API documents whole numbers of seconds, and
    anything else is read leniently but never guessed at. A JSON integer or fraction that is
    finite and >= 0 is that many seconds (a fraction is kept, not rounded). Everything else
    is None, "no limit known" for that field: missing or null, a negative number, NaN or an
    infinity (Python's JSON parser accepts those literals), an integer too large for a float,
    ``true``/``false``, and any string, even "600" (the API documents numbers, and a string's
    unit or format would be a guess). A body that is not a JSON object has no limits at all.
    None is never a crash and never a zero: the caller falls back to what it knows without
    the tenant.
    """

    tenant_id: str | None
    editions: Mapping[str, DurationRange]
    short_assess_min: float | None
    short_assess_max: float | None
    raw: Raw = field(repr=False)

    @classmethod
    def from_raw(cls, body: object) -> TenantDurations:
        raw: Raw = body if isinstance(body, Mapping) else {}
        tenant_id = raw.get("tenant_id")
        return cls(
            tenant_id=tenant_id if isinstance(tenant_id, str) else None,
            editions={
                prefix: DurationRange(
                    *(_seconds(raw, f"{prefix}_{key}") for key in ("min", "max", "advice_value"))
                )
                for prefix in DURATION_EDITIONS
            },
            short_assess_min=_seconds(raw, "short_assess_min"),
            short_assess_max=_seconds(raw, "short_assess_max"),
            raw=raw,
        )
