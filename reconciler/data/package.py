"""Deterministic zip packaging: the same folder always gives the same bytes, hence digest.

Entries are sorted, dated 1980-01-01 (the zip epoch), mode 0644, made on "Unix", and
STORED rather than deflated. Storing costs little (PCM audio deflates poorly) and is what
makes the bytes reproducible: deflate output differs between zlib builds (zlib, zlib-ng),
so a compressed archive would not be byte-stable across machines.
"""

from __future__ import annotations

import shutil
import stat
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from reconciler.data.files import BLOCK_SIZE, dataset_files

FIXED_DATE = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644
UNIX = 3

# Zip record sizes for STORED entries: local header, central directory header, end record;
# then what zip64 adds (at most) per large entry and once for a large archive.
_LOCAL, _CENTRAL, _END = 30, 46, 22
_ZIP64_ENTRY, _ZIP64_END = 20 + 28, 56 + 20


def build_package(folder: Path, dest: BinaryIO) -> None:
    """Zip the dataset files of ``folder`` into ``dest``, streaming each file in 1 MiB blocks."""
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for item in dataset_files(folder):
            info = zipfile.ZipInfo(item.name, date_time=FIXED_DATE)
            info.create_system = UNIX
            info.external_attr = (stat.S_IFREG | FILE_MODE) << 16
            info.compress_type = zipfile.ZIP_STORED
            with item.path.open("rb") as source:
                # zipfile decides on zip64 headers from the size announced up front.
                info.file_size = source.seek(0, 2)
                source.seek(0)
                with archive.open(info, "w") as target:
                    shutil.copyfileobj(source, target, BLOCK_SIZE)


def package_size(entries: Iterable[tuple[str, int]]) -> int:
    """Size of the zip build_package writes to a seekable file for (name, size) entries.

    Exact below 4 GiB, an upper bound above. Lets preflight refuse a folder whose zip would
    exceed one PUT without spending minutes zipping it first.
    """
    total = _END
    for name, size in entries:
        total += _LOCAL + _CENTRAL + 2 * len(name.encode("utf-8")) + size
        if size * 1.05 > zipfile.ZIP64_LIMIT:
            total += _ZIP64_ENTRY
    return total + (_ZIP64_END if total > zipfile.ZIP64_LIMIT else 0)
