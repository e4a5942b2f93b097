"""The scratch copies of ``data.dir`` voices: where they go, and removing those a killed run
left behind (each one is a full copy of a dataset).

Why removing them at the start of an apply is safe: package folders are named after the state
whose apply makes them, and only an apply or destroy holding that state's lock makes them, for
as long as it holds the lock. So under the lock, every folder named after this state belongs to
a run that has ended. A run on another state may share the ``.reconciler/tmp`` folder (two
configurations in one directory with different ``state.path``), and its lock does not exclude
us: its folders carry another name and are left alone. Two checkouts of one project are two
directories, so two ``.reconciler`` folders. Folders without a state key come from versions
before this one, which could not say whose they were; they are removed too.
"""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

_PREFIX = "package-"
_KEY_LENGTH = 12
# tempfile's random part is letters, digits and "_": a "-" after the key tells the two apart.
_LEGACY = re.compile(r"^package-[a-z0-9_]+$")


def package_prefix(state_path: Path) -> str:
    """The name start of the package folders of the runs on ``state_path``."""
    key = hashlib.sha256(str(state_path.resolve()).encode("utf-8")).hexdigest()[:_KEY_LENGTH]
    return f"{_PREFIX}{key}-"


def remove_stale_packages(work_dir: Path, state_path: Path) -> list[Path]:
    """Delete the package folders earlier runs on this state left; call under its lock."""
    prefix = package_prefix(state_path)
    removed = []
    for folder in sorted(work_dir.glob(f"{_PREFIX}*")):
        if not folder.is_dir() or not (
            folder.name.startswith(prefix) or _LEGACY.match(folder.name)
        ):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            removed.append(folder)
    return removed
