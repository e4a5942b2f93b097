"""TTS audition (ops 20, 21): a preview job whose file is a real, short WAV tone."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from reconciler import wav
from reconciler.emulator import atomic, params
from reconciler.emulator.core import Core
from reconciler.emulator.errors import ObsError, invalid_parameter
from reconciler.emulator.wire import Request, Response, json_response

SECONDS_PER_CHAR = 0.24  # about 250 characters a minute at speed 100
MAX_SECONDS = 3.0
_RANGES = {"speed": (50, 200), "pitch": (50, 200), "volume": (90, 240), "channels": (1, 2)}


def tts_path(tts_id: str) -> str:
    return f"/_obs/_tts/{tts_id}/audition.wav"


def _text(body: dict[str, Any]) -> str:
    for name in ("text", "tts_text"):
        value = body.get(name)
        if value is not None and not isinstance(value, str):
            raise invalid_parameter(name, "must be a string")
        if value and value.strip():
            return value
    raise invalid_parameter("text", "is required and must be non-empty")


def create_tts_audition(core: Core, request: Request) -> Response:
    body = params.json_body(request, required=True) or {}
    text = _text(body)
    for name, (low, high) in _RANGES.items():
        value = body.get(name)
        if value is not None and (type(value) is not int or not low <= value <= high):
            raise invalid_parameter(name, f"must be an integer between {low} and {high}")
    asset_id = body.get("emotion")
    if not isinstance(asset_id, str) or not asset_id:
        raise invalid_parameter("emotion", "is required: the voice asset id to preview")
    tts_id = uuid.uuid4().hex
    with core.lock:
        asset = core.store.assets.get(asset_id)
        if asset is None or asset["project_id"] != request.project_id:
            raise invalid_parameter("emotion", f"voice asset {asset_id!r} does not exist")
        if asset["asset_state"] != "ACTIVED":
            raise invalid_parameter("emotion", f"voice asset is {asset['asset_state']}")
        core.store.tts[tts_id] = {
            "job_id": tts_id,
            "project_id": request.project_id,
            "asset_id": asset_id,
            "text": text,
            "created": core.now(),
            "completed": False,
        }
        core.store.save_tts()
    return json_response({"job_id": tts_id})


def is_complete(core: Core, record: dict[str, Any]) -> bool:
    delay = core.config.tts_delay_seconds
    return bool(record["completed"]) or (delay >= 0 and core.now() >= record["created"] + delay)


def file_status(core: Core, record: dict[str, Any], base: str) -> dict[str, Any]:
    if not is_complete(core, record):
        return {"is_file_complete": False, "message": "", "code": "", "files": []}
    url = core.signer.url(base, "GET", tts_path(record["job_id"]), "", core.expires())
    return {"is_file_complete": True, "message": "", "code": "", "files": [{"download_url": url}]}


def show_tts_audition_file(core: Core, request: Request) -> Response:
    tts_id = request.params["job_id"]
    with core.lock:
        record = core.store.tts.get(tts_id)
        if record is None or record["project_id"] != request.project_id:
            raise invalid_parameter("job_id", f"TTS job {tts_id!r} does not exist")
    return json_response(file_status(core, record, request.base_url))


def audio_file(core: Core, tts_id: str) -> Path:
    """The audition WAV, generated on first download and kept beside the other data."""
    with core.lock:
        record = core.store.tts.get(tts_id)
        if record is None or not is_complete(core, record):
            raise ObsError(404, "NoSuchKey", "The specified key does not exist.")
        path = core.store.tts_dir / f"{tts_id}.wav"
        if not path.exists():
            seconds = min(MAX_SECONDS, max(0.3, SECONDS_PER_CHAR * len(record["text"])))
            atomic.write_bytes(path, wav.make_wav(seconds))
        return path
