"""The preview a trained voice gets once, kept under .reconciler/previews/<voice>/.

A marker beside the files says which asset and text they were made from. It is written as
soon as the audition job exists, so a run killed while waiting resumes that job instead of
paying for a second one; it gains the file names once they are downloaded.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.fsutil import atomic_write, ensure_dir, file_errors
from reconciler.metastudio import MetaStudioClient, MetaStudioError
from reconciler.preview import (
    POLL_SECONDS,
    TIMEOUT_SECONDS,
    PreviewFailed,
    fetch_preview,
    start_preview,
)

MARKER = "preview.json"
_OUR_FILE = re.compile(r"^[0-9]+\.wav$")  # the only names we ever delete


def preview_dir(root_dir: Path, name: str) -> Path:
    return root_dir / ".reconciler" / "previews" / name


@dataclass(frozen=True)
class Marker:
    asset_id: str
    text: str
    tts_job_id: str
    files: tuple[str, ...] | None  # None: started, not downloaded yet

    def matches(self, asset_id: str, text: str) -> bool:
        return (self.asset_id, self.text) == (asset_id, text)

    def to_json(self) -> bytes:
        body: dict[str, Any] = {
            "asset_id": self.asset_id,
            "text": self.text,
            "tts_job_id": self.tts_job_id,
            "files": None if self.files is None else list(self.files),
        }
        return (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode()


def read_marker(folder: Path) -> Marker | None:
    try:
        data = json.loads((folder / MARKER).read_text("utf-8"))
        files = data["files"]
        return Marker(
            asset_id=str(data["asset_id"]),
            text=str(data["text"]),
            tts_job_id=str(data["tts_job_id"]),
            files=None if files is None else tuple(str(f) for f in files),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None  # unreadable or foreign: treat as absent and make a new preview


def saved_preview(folder: Path, asset_id: str, text: str) -> list[Path] | None:
    """The downloaded files of this asset and text, if all are still there."""
    marker = read_marker(folder)
    if marker is None or marker.files is None or not marker.matches(asset_id, text):
        return None
    paths = [folder / f for f in marker.files]
    return paths if all(p.is_file() for p in paths) else None


def _write(folder: Path, marker: Marker) -> None:
    with file_errors("write preview marker", folder / MARKER):
        atomic_write(folder / MARKER, marker.to_json(), 0o644)


def ensure_preview(
    client: MetaStudioClient,
    folder: Path,
    asset_id: str,
    text: str,
    *,
    poll: float = POLL_SECONDS,
    timeout: float = TIMEOUT_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[list[Path], bool]:
    """The preview's files, and whether they were made now (False: already there)."""
    saved = saved_preview(folder, asset_id, text)
    if saved is not None:
        return saved, False
    ensure_dir(folder)  # before an audition is paid for, not after
    previous = read_marker(folder)
    pending = previous if previous and previous.matches(asset_id, text) else None

    def fetch(tts_job_id: str) -> list[Path]:
        return fetch_preview(
            client, tts_job_id, folder, poll=poll, timeout=timeout, sleep=sleep, clock=clock
        )

    paths: list[Path] | None = None
    tts_job_id = pending.tts_job_id if pending else ""
    if pending is not None:
        try:
            paths = fetch(tts_job_id)
        except PreviewFailed:
            pass  # that job is dead; a new one may work
        except MetaStudioError as error:
            if error.status != 400:  # 400: that audition is unknown now; start another
                raise
    if paths is None:
        tts_job_id = start_preview(client, asset_id, text)
        _write(folder, Marker(asset_id, text, tts_job_id, None))
        paths = fetch(tts_job_id)
    _write(folder, Marker(asset_id, text, tts_job_id, tuple(p.name for p in paths)))
    # Fewer files than an earlier preview (other text): drop the leftovers.
    leftovers = set(previous.files or ()) if previous else set()
    for stale in leftovers - {p.name for p in paths}:
        if _OUR_FILE.match(stale):
            with file_errors("remove old preview file", folder / stale):
                (folder / stale).unlink(missing_ok=True)
    return paths, True
