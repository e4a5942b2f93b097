"""Training data and emulator admin calls shared by the client tests."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import requests

from reconciler import speechlike
from reconciler.metastudio import JobState, MetaStudioClient


def sentence_zip(
    path: Path, count: int, seconds: float = 0.3, overrides: dict[int, bytes] | None = None
) -> Path:
    wav = speechlike.sentence_wav(seconds)
    with zipfile.ZipFile(path, "w") as archive:
        for i in range(count):
            archive.writestr(f"{i}.wav", (overrides or {}).get(i, wav))
            archive.writestr(f"{i}.txt", speechlike.transcript(i))
    return path


def long_recording_zip(path: Path, seconds: float = 1.0) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("VoiceClone.wav", speechlike.long_take_wav(1, seconds))
    return path


def sentence_files(folder: Path, count: int, seconds: float = 0.3) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    wav = speechlike.sentence_wav(seconds)
    for i in range(count):
        (folder / f"{i}.wav").write_bytes(wav)
        (folder / f"{i}.txt").write_text(speechlike.transcript(i), encoding="utf-8")
    return folder


def admin(base_url: str, method: str, path: str, body: Any = None) -> Any:
    response = requests.request(method, f"{base_url}/_emulator{path}", json=body, timeout=10)
    response.raise_for_status()
    return response.json() if response.content else None


def advance_until(base_url: str, job_id: str, state: str, limit: int = 20) -> str:
    current = ""
    for _ in range(limit):
        current = str(admin(base_url, "POST", f"/jobs/{job_id}/advance")["state"])
        if current == state:
            return current
    raise AssertionError(f"job {job_id} stopped at {current}, never reached {state}")


def trained_asset(client: MetaStudioClient, base_url: str, work_dir: Path) -> str:
    """The asset of a premium job trained from a short recording."""
    created = client.create_job("ADVANCE", {"voice_name": "gentle", "create_type": "PACKAGE"})
    assert created.uploads.package is not None
    client.upload(created.uploads.package, long_recording_zip(work_dir / "d.zip"), "package")
    client.submit_job(created.job_id)
    advance_until(base_url, created.job_id, JobState.SUCCEED)
    asset_id = client.show_job(created.job_id).asset_id
    assert asset_id
    return asset_id


def stats(base_url: str) -> dict[str, int]:
    return dict(admin(base_url, "GET", "/stats")["operations"])


def is_wav(blob: bytes) -> bool:
    from reconciler.wav import read_wav_info

    return read_wav_info(io.BytesIO(blob), len(blob)).duration_seconds > 0
