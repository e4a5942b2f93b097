"""The CLI in a child process whose files cannot grow past a limit: a full disk without root.

``python limited_cli.py BYTES ARGS...``: with SIGXFSZ ignored, RLIMIT_FSIZE makes any write
past BYTES fail with EFBIG ("File too large"), as ENOSPC would on a full disk.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_limited(
    limit: int, cwd: Path, *argv: str, environ: Mapping[str, str] | None = None
) -> tuple[int, str, str]:
    env = {**os.environ, **(environ or {}), "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, __file__, str(limit), *argv],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stdout, done.stderr


if __name__ == "__main__":
    from reconciler.cli import main

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    _, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]), hard))
    sys.exit(main(sys.argv[2:]))
