"""The emulator's persistence on top of the shared crash-safe write (reconciler.fsutil)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from reconciler.fsutil import atomic_write, fsync_dir

__all__ = ["fsync_dir", "read_json", "write_bytes", "write_json"]


def write_bytes(path: Path, data: bytes, mode: int = 0o644) -> None:
    atomic_write(path, data, mode)


def write_json(path: Path, data: Any) -> None:
    write_bytes(path, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def read_json(path: Path) -> Any:
    with path.open("rb") as handle:
        return json.load(handle)
