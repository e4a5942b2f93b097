"""The config-edit measurement runs at a tiny size and counts what it claims to."""

from __future__ import annotations

import pytest

from bench import project
from bench.config_edit import measure


def test_an_edit_reads_only_the_edited_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(project, "VOICES_PER_FILE", 10)
    rows = measure(25)  # the head file and three voices files, the last one edited
    counts = [
        (row["files parsed"], row["entries read"], row["entries written"], row["specs built"])
        for row in rows
    ]
    assert counts == [(4, 4, 4, 25), (0, 4, 0, 0), (1, 4, 1, 5), (0, 4, 0, 0)]
    assert rows[2]["run"] == "after editing voices-002.yaml"
