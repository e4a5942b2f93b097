"""examples/quickstart/make_data.py: the same bytes everywhere, and nothing rewritten twice."""

from __future__ import annotations

import os
import sys
import zipfile
from pathlib import Path

from tests.examples.helpers import (
    QUICKSTART,
    copy_quickstart,
    make_data,
    run,
    tree_bytes,
    tree_mtimes,
)

SCRIPT = QUICKSTART / "make_data.py"
LONG_AGO = 1_000_000_000  # 2001: any rewrite shows, even on a file system with coarse mtimes
MAX_BYTES = 40 * 1024 * 1024


def test_two_runs_in_different_folders_give_identical_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "elsewhere" / "second"
    for target in (first, second):
        result = run([sys.executable, str(SCRIPT), str(target)], tmp_path)
        assert result.returncode == 0, result.stderr

    files = tree_bytes(first)
    assert files == tree_bytes(second)
    assert sum(len(content) for content in files.values()) < MAX_BYTES
    wav = files["data/news-anchor/0.wav"]
    assert wav[:4] == b"RIFF" and wav[8:12] == b"WAVE"
    assert files["data/news-anchor/0.txt"].decode("utf-8").strip()
    assert files["letters/brand-voice.pdf"].startswith(b"%PDF-")
    with zipfile.ZipFile(first / "data" / "partner-voice.zip") as package:
        assert [info.filename for info in package.infolist()] == ["recording.wav"]


def test_a_second_run_rewrites_nothing(tmp_path: Path) -> None:
    project = copy_quickstart(tmp_path)
    assert make_data(project).returncode == 0
    for path in (project / "data").rglob("*"):
        os.utime(path, (LONG_AGO, LONG_AGO))
    before = tree_mtimes(project)

    again = make_data(project)

    assert again.returncode == 0, again.stderr
    assert "up to date" in again.stdout
    assert tree_mtimes(project) == before


def test_damaged_or_missing_files_are_put_back(tmp_path: Path) -> None:
    project = copy_quickstart(tmp_path)
    assert make_data(project).returncode == 0
    expected = tree_bytes(project / "data")
    (project / "data" / "shop-host" / "7.wav").write_bytes(b"RIFF")
    (project / "data" / "storyteller.zip").unlink()

    repaired = make_data(project)

    assert repaired.returncode == 0, repaired.stderr
    assert repaired.stdout.startswith("Wrote 2 of ")
    assert tree_bytes(project / "data") == expected
