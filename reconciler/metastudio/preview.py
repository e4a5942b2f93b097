"""Listen to a trained voice: a TTS audition job with its asset, polled and downloaded.

Third-party voices are charged per audition, so starting a job and fetching its files are
separate steps: a caller that remembers the job id can fetch it again without paying twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reconciler.defaults import PREVIEW_RANGES, PREVIEW_TIMEOUT_SECONDS
from reconciler.errors import ReconcilerError
from reconciler.fsutil import ensure_dir
from reconciler.metastudio.client import MetaStudioClient
from reconciler.metastudio.models import AuditionFile

POLL_SECONDS = 5.0  # the interval the API reference asks for
TIMEOUT_SECONDS = PREVIEW_TIMEOUT_SECONDS
RANGES = PREVIEW_RANGES
# Codes that do not mean failure; the reference documents none, so stay permissive.
_SUCCESS_CODES = frozenset({"", "0", "200", "success", "SUCCESS", "MSS.00000000"})


class PreviewError(ReconcilerError):
    """The audition could not be made; the text says why."""


class PreviewFailed(PreviewError):
    """MetaStudio says the audition job failed: asking again will not help, a new job might."""


def audition_body(
    asset_id: str,
    text: str,
    *,
    speed: int | None = None,
    pitch: int | None = None,
    volume: int | None = None,
) -> dict[str, Any]:
    if not text.strip():
        raise PreviewError("the preview text is empty", hint="give some text to synthesize")
    if not asset_id:
        raise PreviewError("no voice asset id to preview")
    body: dict[str, Any] = {"text": text, "emotion": asset_id}
    for name, value in (("speed", speed), ("pitch", pitch), ("volume", volume)):
        if value is None:
            continue
        low, high = RANGES[name]
        if not low <= value <= high:
            raise PreviewError(f"{name} {value} is out of range: use {low} to {high}")
        body[name] = value
    return body


def start_preview(
    client: MetaStudioClient,
    asset_id: str,
    text: str,
    *,
    speed: int | None = None,
    pitch: int | None = None,
    volume: int | None = None,
) -> str:
    """Create the audition job (this is the call that may cost money); returns its job id."""
    body = audition_body(asset_id, text, speed=speed, pitch=pitch, volume=volume)
    tts_job_id = client.create_tts_audition(body)
    if not tts_job_id:
        raise PreviewError("MetaStudio accepted the preview but returned no job id")
    return tts_job_id


def _failure(file: AuditionFile) -> str | None:
    if file.code and file.code not in _SUCCESS_CODES:
        return f"{file.code}: {file.message}" if file.message else file.code
    if file.is_file_complete and not file.download_urls:
        return file.message or "it finished without any file"
    return None


def fetch_preview(
    client: MetaStudioClient,
    tts_job_id: str,
    out_dir: Path,
    *,
    poll: float = POLL_SECONDS,
    timeout: float = TIMEOUT_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> list[Path]:
    """Poll the audition until its files exist, then download them as 0.wav, 1.wav, ..."""
    deadline = clock() + timeout
    while True:
        file = client.get_tts_audition_file(tts_job_id)
        problem = _failure(file)
        if problem is not None:
            raise PreviewFailed(f"preview {tts_job_id} failed: {problem}")
        if file.is_file_complete:
            break
        remaining = deadline - clock()
        if remaining <= 0:
            said = f" (last message: {file.message})" if file.message else ""
            raise PreviewError(
                f"preview {tts_job_id} was not ready after {timeout:g} s{said}",
                hint="MetaStudio may be busy; try again later",
            )
        sleep(min(poll, remaining))
    # Download URLs are valid for an hour: fetch them now, never store them.
    paths = []
    for index, url in enumerate(file.download_urls):
        dest = out_dir / f"{index}.wav"
        try:
            client.download(url, dest)  # atomic: a half-written file never has the final name
        except OSError as error:
            raise PreviewError(f"cannot save {dest}: {error.strerror or error}") from None
        paths.append(dest)
    return paths


def make_preview(
    client: MetaStudioClient,
    asset_id: str,
    text: str,
    out_dir: Path,
    *,
    poll: float = POLL_SECONDS,
    timeout: float = TIMEOUT_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    speed: int | None = None,
    pitch: int | None = None,
    volume: int | None = None,
) -> list[Path]:
    """Synthesize ``text`` with the voice asset ``asset_id`` and download it into ``out_dir``."""
    ensure_dir(out_dir)  # before an audition is paid for, not after
    tts_job_id = start_preview(client, asset_id, text, speed=speed, pitch=pitch, volume=volume)
    return fetch_preview(
        client, tts_job_id, out_dir, poll=poll, timeout=timeout, sleep=sleep, clock=clock
    )
