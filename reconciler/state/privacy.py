"""Keep phone numbers (personal data) out of the state file while still noticing a change.

The state records a fingerprint, not the number. The HMAC key is the state's lineage, which
sits in the same file, so it is no secret: it only stops one precomputed table from serving
every state file. What protects the number is the truncation: anyone holding the file can
hash every candidate, but 16 bits match about 100,000 of the ~7e9 valid CN mobile numbers, so
the file does not reveal which one it was. The price is a 1 in 65,536 chance that a changed
number goes unnoticed, which a reviewer can always force with --replace.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Mapping

FINGERPRINT_PREFIX = "hmac-sha256:"
FINGERPRINT_HEX_CHARS = 4
_FINGERPRINT = re.compile(rf"^{re.escape(FINGERPRINT_PREFIX)}[0-9a-f]{{{FINGERPRINT_HEX_CHARS}}}$")
PHONE_KEY = "phone"


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


def check_no_clear_phone(spec: Mapping[str, object], where: str) -> None:
    """A guard against a caller forgetting to fingerprint: refuse rather than persist the number."""
    for key, value in spec.items():
        if key == PHONE_KEY and value is not None and not is_phone_fingerprint(value):
            raise ValueError(
                f"{where}.{key}: a phone number is stored as phone_fingerprint(), never in clear"
            )
        if isinstance(value, Mapping):
            check_no_clear_phone(value, f"{where}.{key}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, Mapping):
                    check_no_clear_phone(item, f"{where}.{key}[{index}]")
