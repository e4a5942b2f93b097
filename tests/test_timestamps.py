"""The one timestamp format, from epoch seconds or a datetime, and back."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from reconciler.timestamps import parse_rfc3339, rfc3339


def test_seconds_and_datetimes_of_one_moment_read_alike_and_parse_back() -> None:
    moment = 1_700_000_000.75
    east = datetime.fromtimestamp(moment, timezone(timedelta(hours=8)))
    assert rfc3339(moment) == rfc3339(east) == "2023-11-14T22:13:20Z"
    assert parse_rfc3339(rfc3339(moment)) == datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc)
    with pytest.raises(ValueError):
        parse_rfc3339("2023-11-14 22:13:20")


@pytest.mark.parametrize(
    "text",
    [
        "2024-1-31T12:00:00Z",  # strptime took one digit where RFC 3339 has two
        "2024-02-31T12:00:00Z",
        "2024-13-01T00:00:00Z",
        "2024-01-31T24:00:00Z",
        "\u0662\u0660\u0662\u0664-01-31T12:00:00Z",  # Arabic-Indic digits
        "2024-01-31T12:00:00+00:00",
        "2024-01-31T12:00:00Z\n",
        "",
    ],
)
def test_only_what_rfc3339_writes_is_read(text: str) -> None:
    with pytest.raises(ValueError, match=r"voices\.a\.created_at: .* is not a timestamp like"):
        parse_rfc3339(text, "voices.a.created_at")
