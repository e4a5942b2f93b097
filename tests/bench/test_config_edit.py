"""The config-edit measurement runs at a tiny size and counts what it claims to."""

from __future__ import annotations

import pytest

from bench import project
from bench.config_edit import measure
from reconciler.config import parallel


@pytest.mark.parametrize("in_workers", [False, True], ids=["here", "in workers"])
def test_an_edit_reads_only_the_edited_file(
    monkeypatch: pytest.MonkeyPatch, in_workers: bool
) -> None:
    monkeypatch.setattr(project, "VOICES_PER_FILE", 10)
    if in_workers:  # files parsed in worker processes are counted all the same
        monkeypatch.setattr(parallel, "PARALLEL_BYTES", 1)
    rows = measure(25)  # the head file and three voices files, the last one edited
    counts = [
        (row["files parsed"], row["entries read"], row["entries written"], row["specs built"])
        for row in rows
    ]
    assert counts == [(4, 4, 4, 25), (0, 4, 0, 0), (1, 4, 1, 5), (0, 4, 0, 0)]
    assert rows[2]["run"] == "after editing voices-002.yaml"
