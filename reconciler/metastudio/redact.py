"""Keeping secrets out of messages, logs and reprs.

Presigned object-store URLs carry their credential in the query string, so anything that
might print a URL prints it through ``redact_url``.
"""

from __future__ import annotations

import logging
import re
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


_QUERY = re.compile(r"\?[^\s\"']*")


def _strip_queries(value: object) -> object:
    return _QUERY.sub("?" + REDACTED, value) if isinstance(value, str) and "?" in value else value


class QueryRedactingFilter(logging.Filter):
    """urllib3 logs every request line at DEBUG, presigned query string included."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_strip_queries(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _strip_queries(arg) for key, arg in record.args.items()}
        record.msg = _strip_queries(record.msg)
        return True


_FILTER = QueryRedactingFilter()


def guard_http_logs() -> None:
    """Idempotent: attach the filter to the loggers that print request lines."""
    for name in ("urllib3.connectionpool", "urllib3.connection", "requests"):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
