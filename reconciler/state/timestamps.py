"""RFC 3339 timestamps in UTC, the one format the state and lock files use."""

from __future__ import annotations

from datetime import datetime, timezone


def rfc3339(seconds: float) -> str:
    """Whole seconds are enough for humans and for "jobs created since" queries."""
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
