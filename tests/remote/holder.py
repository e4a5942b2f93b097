"""A separate run holding a config's state lock: ``python -m tests.remote.holder CONFIG_DIR``.

Prints its lock ID, then holds the lock until a line arrives on stdin (or it is killed).
"""

from __future__ import annotations

import sys
from pathlib import Path

from reconciler.config import load_config
from reconciler.operations.workspace import state_backend


def main() -> None:
    backend = state_backend(load_config(Path(sys.argv[1])))
    with backend.lock("apply", 10) as info:
        print(info.id, flush=True)
        sys.stdin.readline()


if __name__ == "__main__":
    main()
