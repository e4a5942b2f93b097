"""TTS audition: a preview job whose presigned download is a real WAV."""

from __future__ import annotations

import io
import re

import requests

from reconciler.emulator import Emulator
from reconciler.wav import read_wav_info
from tests.emulator.conftest import MakeEmulator
from tests.emulator.helpers import Api


def _asset(emu: Emulator, api: Api) -> str:
    emu.seed_jobs([{"voice_name": "trained", "state": "SUCCEED"}])
    asset_id: str = api.ok("GET", "digital-assets")["assets"][0]["asset_id"]
    return asset_id


def test_audition_to_downloadable_wav(emu: Emulator, api: Api) -> None:
    asset_id = _asset(emu, api)
    created = api.ok("POST", "ttsc/audition", body={"text": "hello world", "emotion": asset_id})
    assert re.fullmatch(r"[0-9a-f]{32}", created["job_id"])
    status = api.ok("GET", f"ttsc/audition-file/{created['job_id']}")
    assert status["is_file_complete"] is True
    assert set(status) == {"is_file_complete", "message", "code", "files"}
    url = status["files"][0]["download_url"]
    audio = requests.get(url, timeout=10)
    assert audio.status_code == 200 and audio.headers["Content-Type"] == "audio/wav"
    info = read_wav_info(io.BytesIO(audio.content), len(audio.content))
    assert info.channels == 1 and 2.0 < info.duration_seconds <= 3.0
    forged = url.replace("Signature=", "Signature=x")
    assert requests.get(forged, timeout=10).status_code == 403
    short = api.ok("POST", "ttsc/audition", body={"text": "hi", "emotion": asset_id})
    short_url = api.ok("GET", f"ttsc/audition-file/{short['job_id']}")["files"][0]["download_url"]
    data = requests.get(short_url, timeout=10).content
    assert read_wav_info(io.BytesIO(data)).duration_seconds < 1.0


def test_audition_waits_for_the_delay_or_the_admin(make_emulator: MakeEmulator) -> None:
    emu = make_emulator(tts_delay_seconds=-1)
    api = Api(emu.base_url)
    asset_id = _asset(emu, api)
    created = api.ok("POST", "ttsc/audition", body={"text": "wait", "emotion": asset_id})
    status = api.ok("GET", f"ttsc/audition-file/{created['job_id']}")
    assert status["is_file_complete"] is False and status["files"] == []
    advanced = requests.post(f"{emu.base_url}/_emulator/tts/{created['job_id']}/advance", timeout=5)
    assert advanced.json()["is_file_complete"] is True
    assert api.ok("GET", f"ttsc/audition-file/{created['job_id']}")["is_file_complete"] is True


def test_audition_needs_text_and_an_existing_voice(emu: Emulator, api: Api) -> None:
    asset_id = _asset(emu, api)
    assert api.call("POST", "ttsc/audition", body={"emotion": asset_id}).status_code == 400
    missing = api.call("POST", "ttsc/audition", body={"text": "x", "emotion": "no-such-asset"})
    assert missing.status_code == 400 and "emotion" in missing.json()["error_msg"]
    bad_speed = {"text": "x", "emotion": asset_id, "speed": 500}
    assert api.call("POST", "ttsc/audition", body=bad_speed).status_code == 400
    assert api.call("GET", "ttsc/audition-file/" + "0" * 32).status_code == 400
