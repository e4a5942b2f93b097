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
