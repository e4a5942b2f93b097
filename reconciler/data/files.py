"""The files of a training-data folder, listed once for preflight, digest and packaging alike.

All three must see exactly the same files, or the digest would describe one dataset and the
upload another. Hidden names (``.DS_Store``, ``.git``) are left out everywhere.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# One object-store PUT carries at most 5 GB; larger uploads would need multipart, which the
# presigned URLs MetaStudio hands out do not offer.
MAX_PUT_BYTES = 5 * 1024**3
BLOCK_SIZE = 1 << 20


@dataclass(frozen=True)
class DatasetFile:
    name: str  # relative POSIX path inside the folder, the name it gets in the zip
    path: Path


def dataset_files(folder: Path) -> list[DatasetFile]:
    """Every non-hidden file under ``folder``, sorted by relative path.

    Symlinked folders are followed once (a loop is not entered twice); entries that are not
    folders, including broken symlinks, are listed so that preflight can reject them.
    """
    found: list[DatasetFile] = []
    _scan(folder, "", found, {os.path.realpath(folder)})
    return sorted(found, key=lambda f: f.name)


def _scan(folder: Path, prefix: str, found: list[DatasetFile], seen: set[str]) -> None:
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = folder / entry.name
            if entry.is_dir():
                real = os.path.realpath(path)
                if real not in seen:
                    _scan(path, f"{prefix}{entry.name}/", found, seen | {real})
            else:
                found.append(DatasetFile(prefix + entry.name, path))
