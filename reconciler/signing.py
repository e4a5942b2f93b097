"""SDK-HMAC-SHA256 request signing exactly as ``huaweicloudsdkcore`` does it.

A pure function library shared by the client (which signs) and the emulator (which
verifies from the bytes it received). It knows nothing of either; keeping one copy means the
two can never disagree silently, and the API document's worked examples pin it to the byte.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import quote, unquote

ALGORITHM = "SDK-HMAC-SHA256"
DATE_HEADER = "X-Sdk-Date"
CONTENT_SHA_HEADER = "X-Sdk-Content-Sha256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()

_AUTH_RE = re.compile(
    r"^SDK-HMAC-SHA256\s+Access=(?P<ak>[^,\s]+),\s*SignedHeaders=(?P<signed>[^,\s]+),"
    r"\s*Signature=(?P<sig>[0-9a-fA-F]+)\s*$"
)


def _encode(value: str) -> str:
    # Only A-Z a-z 0-9 - _ . ~ stay unescaped (quote's always-safe set).
    return quote(value, safe="")


def canonical_uri(path: str) -> str:
    """Percent-decode the path, re-encode each segment, and end with ``/``."""
    segments = unquote(path).split("/")
    uri = "/".join(_encode(segment) for segment in segments)
    return uri if uri.endswith("/") else uri + "/"


def query_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    """Sorted by key then value, both encoded; the SDK sends exactly this on the wire."""
    return "&".join(f"{_encode(k)}={_encode(v)}" for k, v in sorted(pairs))


def signed_header_names(headers: Mapping[str, str]) -> list[str]:
    return sorted({name.lower() for name in headers if "_" not in name})


def payload_hash(headers: Mapping[str, str], body: bytes) -> str:
    """The hash a signer puts in the canonical request: the SDK takes X-Sdk-Content-Sha256
    literally when the caller set it (it then signs that header like any other)."""
    if not body:
        return EMPTY_SHA256
    for name, value in headers.items():
        if name.lower() == CONTENT_SHA_HEADER.lower():
            return value
    return hashlib.sha256(body).hexdigest()


def received_payload_hash(
    headers: Mapping[str, str], signed_headers: list[str], body: bytes
) -> str:
    """The hash a verifier puts in the canonical request: that of the bytes that arrived.

    X-Sdk-Content-Sha256 counts only when it is itself signed, and then only when it matches
    those bytes or is UNSIGNED-PAYLOAD: an unsigned or wrong one is ignored, so a signature
    replayed with another body fails instead of vouching for the new body.
    """
    if not body:
        return EMPTY_SHA256
    actual = hashlib.sha256(body).hexdigest()
    if CONTENT_SHA_HEADER.lower() not in signed_headers:
        return actual
    declared = next((v for k, v in headers.items() if k.lower() == CONTENT_SHA_HEADER.lower()), "")
    declared = declared.strip()
    if declared == UNSIGNED_PAYLOAD or declared.lower() == actual:
        return declared
    return actual


def canonical_request(
    method: str,
    path: str,
    query_pairs: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    signed_headers: list[str],
    body: bytes,
    body_hash: str | None = None,
) -> str:
    """``body_hash`` defaults to the signer's :func:`payload_hash`; a verifier passes its own."""
    lowered = {name.lower(): str(value).strip() for name, value in headers.items()}
    header_block = "".join(f"{name}:{lowered.get(name, '')}\n" for name in signed_headers)
    return "\n".join(
        [
            method.upper(),
            canonical_uri(path),
            canonical_query(query_pairs),
            header_block,
            ";".join(signed_headers),
            payload_hash(headers, body) if body_hash is None else body_hash,
        ]
    )


def string_to_sign(canonical: str, sdk_date: str) -> str:
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"{ALGORITHM}\n{sdk_date}\n{digest}"


def signature(secret_key: str, to_sign: str) -> str:
    return hmac.new(secret_key.encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def authorization(access_key: str, signed_headers: list[str], sig: str) -> str:
    names = ";".join(signed_headers)
    return f"{ALGORITHM} Access={access_key}, SignedHeaders={names}, Signature={sig}"


def sdk_date(now: datetime | None = None) -> str:
    return (now or datetime.now(timezone.utc)).strftime(DATE_FORMAT)


def sign(
    method: str,
    path: str,
    query_pairs: Iterable[tuple[str, str]],
    headers: dict[str, str],
    body: bytes,
    access_key: str,
    secret_key: str,
    host: str,
    now: datetime | None = None,
) -> dict[str, str]:
    """Add ``X-Sdk-Date`` and ``Host`` if absent, then ``Authorization``; returns ``headers``."""
    present = {name.lower() for name in headers}
    if DATE_HEADER.lower() not in present:
        headers[DATE_HEADER] = sdk_date(now)
    if "host" not in present:
        headers["Host"] = host
    date = next(v for k, v in headers.items() if k.lower() == DATE_HEADER.lower())
    names = signed_header_names(headers)
    canonical = canonical_request(method, path, query_pairs, headers, names, body)
    headers["Authorization"] = authorization(
        access_key, names, signature(secret_key, string_to_sign(canonical, date))
    )
    return headers


@dataclass(frozen=True)
class ParsedAuthorization:
    access_key: str
    signed_headers: list[str]
    signature: str


def parse_authorization(value: str) -> ParsedAuthorization | None:
    match = _AUTH_RE.match(value.strip())
    if not match:
        return None
    return ParsedAuthorization(
        access_key=match["ak"],
        signed_headers=match["signed"].split(";"),
        signature=match["sig"].lower(),
    )


def verify(
    method: str,
    path: str,
    query_pairs: Iterable[tuple[str, str]],
    headers: Mapping[str, str],
    body: bytes,
    parsed: ParsedAuthorization,
    secret_key: str,
) -> bool:
    """Rebuild the canonical request from what was received and compare in constant time."""
    date = next((v for k, v in headers.items() if k.lower() == DATE_HEADER.lower()), "")
    signed = parsed.signed_headers
    body_hash = received_payload_hash(headers, signed, body)
    canonical = canonical_request(method, path, query_pairs, headers, signed, body, body_hash)
    expected = signature(secret_key, string_to_sign(canonical, date))
    return hmac.compare_digest(expected, parsed.signature)


def parse_sdk_date(value: str) -> datetime | None:
    try:
        return datetime.strptime(value, DATE_FORMAT).replace(tzinfo=timezone.utc)
    except ValueError:
        return None
