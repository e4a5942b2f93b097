"""Running the examples as a user would: as subprocesses, in temporary copies."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
QUICKSTART = REPO / "examples" / "quickstart"
GITOPS = REPO / "examples" / "gitops"
QUICKSTART_VOICES = ("brand-voice", "news-anchor", "partner-voice", "shop-host", "storyteller")
EMULATOR_NOTICE = "Using the local MetaStudio emulator"
# What make_data.py and a run leave beside voices.yaml: never part of a fresh clone.
GENERATED = ("data", "letters", ".reconciler", "reconciler.state.json*", "__pycache__")
_HEADING = re.compile(r"#{1,6}[ \t]")
_QUICK_START = re.compile(r"quick[ -]?start", re.IGNORECASE)
SHELL_FENCES = ("sh", "bash", "shell")


def clean_environ(**extra: str) -> dict[str, str]:
    """The caller's environment without anything that points reconciler somewhere else."""
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("HUAWEICLOUD_", "RECONCILER_")) and key != "PYTHONPATH"
    }
    environ.update(extra)
    return environ


def run(
    argv: list[str], cwd: Path, *, environ: Mapping[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv,
        cwd=cwd,
        env=dict(environ) if environ is not None else clean_environ(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def reconciler(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "reconciler", *args], cwd, timeout=timeout)


def copy_quickstart(root: Path) -> Path:
    """examples/quickstart as a fresh clone has it, under ``root``; returns the copy."""
    target = root / "examples" / "quickstart"
    shutil.copytree(QUICKSTART, target, ignore=shutil.ignore_patterns(*GENERATED))
    return target


def make_data(project: Path, *, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, str(project / "make_data.py")], project, timeout=timeout)


def state_voices(project: Path) -> dict[str, Any]:
    state = json.loads((project / "reconciler.state.json").read_text(encoding="utf-8"))
    return dict(state["voices"])


def quick_start_block(readme: str) -> str | None:
    """The first shell block in a section whose heading mentions a quick start, if any.

    Fence-aware: a ``# comment`` inside a shell block is not a heading.
    """
    in_section = False
    fence: str | None = None
    block: list[str] = []
    for line in readme.splitlines():
        if fence is not None:
            if line.startswith("```"):
                if in_section and fence in SHELL_FENCES:
                    return "\n".join(block) + "\n"
                fence = None
            else:
                block.append(line)
        elif line.startswith("```"):
            fence, block = line[3:].strip().lower(), []
        elif _HEADING.match(line):
            in_section = bool(_QUICK_START.search(line))
    return None


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def tree_mtimes(root: Path) -> dict[str, int]:
    return {
        path.relative_to(root).as_posix(): path.stat().st_mtime_ns
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def gitops_voices_with_data(voices: Path) -> Path:
    """The GitOps example's voices copied to ``voices``, with stand-in data and letters."""
    from reconciler.speechlike import write_steady_package, write_steady_pairs

    shutil.copytree(GITOPS / "voices", voices)
    config = voices / "voices.yaml"
    # Stand-in data is seconds long; the real recordings have the minutes each edition needs.
    relaxed = "defaults:\n  checks: {min_total_seconds: 1, advised_total_seconds: 1}\n"
    config.write_text(config.read_text().replace("defaults:\n", relaxed, 1))
    write_steady_pairs(voices / "data" / "support-agent", 20, 5.0)
    write_steady_package(voices / "data" / "brand-narrator.zip", count=None, seconds=30.0)
    (voices / "letters").mkdir()
    (voices / "letters" / "brand-narrator.pdf").write_bytes(b"%PDF-1.4 signed letter")
    return voices
