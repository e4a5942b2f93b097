"""RFC 3339 timestamps in UTC, the one format the state and lock files use."""

from __future__ import annotations

from datetime import datetime, timezone

from reconciler.state.jsonvalues import shown

FORMAT = "%Y-%m-%dT%H:%M:%SZ"


def rfc3339(seconds: float) -> str:
    """Whole seconds are enough for humans and for "jobs created since" queries."""
    return datetime.fromtimestamp(seconds, timezone.utc).strftime(FORMAT)


def parse_rfc3339(text: str, where: str) -> datetime:
    """The instant ``text`` (as :func:`rfc3339` writes it) names; ValueError naming ``where``."""
    try:
        return datetime.strptime(text, FORMAT).replace(tzinfo=timezone.utc)
    except ValueError:
        raise ValueError(
            f"{where}: {shown(text)} is not a timestamp like 2024-01-31T12:00:00Z"
        ) from None
