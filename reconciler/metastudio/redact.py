"""Keeping secrets out of messages, logs and reprs.

Presigned object-store URLs carry their credential in the query string, so anything that
might print a URL prints it through ``redact_url``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

REDACTED = "<redacted>"


def redact_url(url: str) -> str:
    parts = urlsplit(url)
    query = REDACTED if parts.query else ""
    netloc = parts.hostname or ""
    if parts.port:
        netloc = f"{netloc}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


@dataclass(frozen=True)
class SignedUrl:
    """A presigned URL: usable through ``.value``, never shown whole by str() or repr()."""

    value: str = field(repr=False)

    def __str__(self) -> str:
        return redact_url(self.value)

    def __repr__(self) -> str:
        return f"SignedUrl({redact_url(self.value)!r})"


def optional_url(value: object) -> SignedUrl | None:
    return SignedUrl(value) if isinstance(value, str) and value else None
