"""Test helpers shared by the state tests (fixtures live in conftest.py)."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from reconciler.state import VoiceRecord, rfc3339

CHILD = Path(__file__).with_name("child.py")
REPO = Path(__file__).resolve().parents[2]


def record(name: str = "gentle", **changes: object) -> VoiceRecord:
    fields: dict[str, object] = {
        "name": name,
        "edition": "basic",
        "job_type": "BASIC",
        "phase": "created",
        "job_id": f"job-{name}",
        "created_at": rfc3339(1_700_000_000),
        "updated_at": rfc3339(1_700_000_000),
        "spec": {"voice_name": name, "sex": "FEMALE"},
    }
    fields.update(changes)
    return VoiceRecord(**fields)  # type: ignore[arg-type]


def spawn(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen(
        [sys.executable, str(CHILD), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )


def stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(timeout=5)
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            stream.close()


def copied_command(message: str) -> list[str]:
    """The words of the ``reconciler ...`` command a message quotes, as a user would copy
    them from between its backquotes (without the leading ``reconciler``)."""
    quoted = [text for text in re.findall(r"`([^`]*)`", message) if text.startswith("reconciler ")]
    assert len(quoted) == 1, message
    return shlex.split(quoted[0])[1:]
