"""The CLI run in-process, or in a child whose files cannot grow past a limit.

``python cli_runs.py BYTES ARGS...``: with SIGXFSZ ignored, RLIMIT_FSIZE makes any write
past BYTES fail with EFBIG ("File too large"), as ENOSPC would on a full disk, without root.
"""

from __future__ import annotations

import io
import os
import resource
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from reconciler.cli import main
from reconciler.environment import Environment

REPO = Path(__file__).resolve().parents[1]


def run_cli(cwd: Path, *argv: str) -> tuple[int, str, str]:
    """Exit status, stdout and stderr of the CLI run in-process with an empty environment."""
    out, err = io.StringIO(), io.StringIO()
    env = Environment(stdin=io.StringIO(), stdout=out, stderr=err, environ={}, cwd=cwd)
    return main(list(argv), env=env), out.getvalue(), err.getvalue()


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
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    _, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]), hard))
    sys.exit(main(sys.argv[2:]))
