"""Keep phone numbers (personal data) out of files and off screens while still noticing a change.

The state records a fingerprint, not the number. The HMAC key is the state's lineage, which
sits in the same file, so it is no secret: it only stops one precomputed table from serving
every state file. What protects the number is the truncation: anyone holding the file can
hash every candidate, but 16 bits match about 100,000 of the ~7e9 valid CN mobile numbers, so
the file does not reveal which one it was. The price is a 1 in 65,536 chance that a changed
number goes unnoticed, which a reviewer can always force with --replace.

Whatever a person reads (plans, `state show`) masks even the fingerprint, as it still narrows
down the number; whatever is written (state, plan files) refuses a number in clear.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from reconciler import attributes

FINGERPRINT_PREFIX = "hmac-sha256:"
FINGERPRINT_HEX_CHARS = 4
_FINGERPRINT = re.compile(rf"^{re.escape(FINGERPRINT_PREFIX)}[0-9a-f]{{{FINGERPRINT_HEX_CHARS}}}$")
PHONE_KEY = "phone"
SENSITIVE_KEYS = attributes.TABLE.personal  # the attributes marked personal: the phone
SENSITIVE = "(sensitive value)"  # what a person sees instead


def normalize_phone(phone: str) -> str:
    """Spacing and punctuation are presentation: "+86 138-0013-8000" is "+8613800138000"."""
    text = unicodedata.normalize("NFKC", phone).strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    return ("+" if text.startswith("+") else "") + digits


def phone_fingerprint(phone: str, lineage: str) -> str:
    digest = hmac.new(lineage.encode(), normalize_phone(phone).encode(), hashlib.sha256)
    return FINGERPRINT_PREFIX + digest.hexdigest()[:FINGERPRINT_HEX_CHARS]


def is_phone_fingerprint(value: object) -> bool:
    return isinstance(value, str) and bool(_FINGERPRINT.match(value))


def is_sensitive(key: object) -> bool:
    return key in SENSITIVE_KEYS


def redact_personal(value: Any) -> Any:
    """``value`` with personal values masked however deep they sit, for a person to read.

    None stays as it is: it says that no number is set, not which one."""
    if isinstance(value, Mapping):
        return {
            key: SENSITIVE if is_sensitive(key) and item is not None else redact_personal(item)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact_personal(item) for item in value]
    return value


def clear_phone_at(value: object, where: str) -> str | None:
    """Where in ``value`` a phone number sits in clear (None: nowhere), at any depth.

    A number is looked for under a "phone" key and in an attribute change of the phone
    (``{"path": "phone", "before": ..., "after": ...}``, as plans hold them)."""
    if isinstance(value, Mapping):
        holders = [PHONE_KEY, "before", "after"] if value.get("path") == PHONE_KEY else [PHONE_KEY]
        for holder in holders:
            if value.get(holder) is not None and not is_phone_fingerprint(value[holder]):
                return f"{where}.{holder}"
        children: Iterable[tuple[object, object]] = value.items()
        label = "{where}.{key}"
    elif isinstance(value, list | tuple):
        children, label = enumerate(value), "{where}[{key}]"
    else:
        return None
    for key, item in children:
        if isinstance(item, Mapping | list | tuple):  # the place is spelled only where needed
            found = clear_phone_at(item, label.format(where=where, key=key))
            if found is not None:
                return found
    return None


def check_no_clear_phone(spec: Mapping[str, object], where: str) -> None:
    """A guard against a caller forgetting to fingerprint: refuse rather than persist the number."""
    found = clear_phone_at(spec, where)
    if found is not None:
        raise ValueError(
            f"{found}: a phone number is stored as phone_fingerprint(), never in clear"
        )
