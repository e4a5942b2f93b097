"""make_preview() and the once-only saved preview, against the emulator's TTS audition."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

import pytest

from reconciler.emulator import Emulator
from reconciler.metastudio import MetaStudioClient
from reconciler.metastudio.models import AuditionFile
from reconciler.metastudio.preview import PreviewError, make_preview
from reconciler.operations.preview import MARKER, ensure_preview, read_marker
from reconciler.wav import read_wav_info
from tests.status.conftest import FakeTime, seed


def _asset(emulator: Emulator) -> str:
    seed(emulator, alpha="SUCCEED")
    return str(emulator.jobs()[0]["asset_id"])


def _finish_every_audition(emulator: Emulator) -> None:
    for tts_id in list(emulator.core.store.tts):
        emulator.advance_tts(tts_id)


def _creates(emulator: Emulator) -> int:
    return int(emulator.stats()["operations"].get("create_tts_audition", 0))


def test_polls_every_five_seconds_then_downloads_wav_files(
    tmp_path: Path, emulator: Emulator, client: MetaStudioClient
) -> None:
    asset_id = _asset(emulator)

    def finish_on_second_sleep(_: float) -> None:
        if len(time.sleeps) == 2:
            _finish_every_audition(emulator)

    time = FakeTime(on_sleep=finish_on_second_sleep)
    paths = make_preview(
        client,
        asset_id,
        "你好欢迎",
        tmp_path / "out",
        speed=120,
        sleep=time.sleep,
        clock=time.clock,
    )
    assert time.sleeps == [5.0, 5.0]
    assert paths == [tmp_path / "out" / "0.wav"]
    with paths[0].open("rb") as stream:
        assert read_wav_info(stream).duration_seconds > 0
    assert not [p for p in (tmp_path / "out").iterdir() if p.name != "0.wav"]


def test_times_out_with_the_tts_job_named(
    tmp_path: Path, emulator: Emulator, client: MetaStudioClient
) -> None:
    asset_id = _asset(emulator)
    time = FakeTime()
    with pytest.raises(PreviewError, match=r"not ready after 12 s"):
        make_preview(
            client, asset_id, "hi", tmp_path, timeout=12, sleep=time.sleep, clock=time.clock
        )
    assert time.sleeps == [5.0, 5.0, 2.0]


@pytest.mark.parametrize(
    ("text", "options", "message"),
    [
        ("  ", {}, "text is empty"),
        ("hi", {"speed": 20}, "speed 20 is out of range: use 50 to 200"),
        ("hi", {"volume": 250}, "volume 250 is out of range"),
    ],
)
def test_bad_input_costs_no_request(
    tmp_path: Path,
    emulator: Emulator,
    client: MetaStudioClient,
    text: str,
    options: dict[str, int],
    message: str,
) -> None:
    asset_id = _asset(emulator)
    with pytest.raises(PreviewError, match=message):
        make_preview(client, asset_id, text, tmp_path, **options)  # type: ignore[arg-type]
    assert _creates(emulator) == 0


class _FailingTts:
    """MetaStudio answering that the audition failed (the emulator never does)."""

    def create_tts_audition(self, body: Any) -> str:
        return "tts-1"

    def get_tts_audition_file(self, job_id: str) -> AuditionFile:
        raw = {"is_file_complete": False, "code": "MSS.00000001", "message": "asset frozen"}
        return AuditionFile.from_raw(raw)


def test_a_failure_code_stops_polling(tmp_path: Path) -> None:
    client = cast(MetaStudioClient, _FailingTts())
    time = FakeTime()
    with pytest.raises(PreviewError, match=r"tts-1 failed: MSS\.00000001: asset frozen"):
        make_preview(client, "asset", "hi", tmp_path, sleep=time.sleep, clock=time.clock)
    assert time.sleeps == []


def test_a_saved_preview_is_made_once_per_asset_and_text(
    tmp_path: Path, emulator: Emulator, client: MetaStudioClient
) -> None:
    emulator.core.config.tts_delay_seconds = 0.0
    asset_id = _asset(emulator)
    folder = tmp_path / "previews" / "alpha"
    paths, made = ensure_preview(client, folder, asset_id, "hello")
    assert made and paths == [folder / "0.wav"]
    marker = json.loads((folder / MARKER).read_text())
    assert marker["asset_id"] == asset_id and marker["files"] == ["0.wav"]

    assert ensure_preview(client, folder, asset_id, "hello") == (paths, False)
    assert _creates(emulator) == 1
    (folder / "1.wav").write_bytes(b"left from an earlier preview")
    marker["files"] = ["0.wav", "1.wav"]
    (folder / MARKER).write_text(json.dumps(marker))
    assert ensure_preview(client, folder, asset_id, "new words")[1]
    assert _creates(emulator) == 2 and not (folder / "1.wav").exists()


def test_an_interrupted_preview_is_resumed_not_paid_again(
    tmp_path: Path, emulator: Emulator, client: MetaStudioClient
) -> None:
    asset_id = _asset(emulator)
    folder = tmp_path / "alpha"

    def interrupt(_: float) -> None:
        raise KeyboardInterrupt

    time = FakeTime(on_sleep=interrupt)
    with pytest.raises(KeyboardInterrupt):
        ensure_preview(client, folder, asset_id, "hi", sleep=time.sleep, clock=time.clock)
    pending = read_marker(folder)
    assert pending is not None and pending.files is None
    _finish_every_audition(emulator)
    paths, made = ensure_preview(client, folder, asset_id, "hi")
    assert made and paths == [folder / "0.wav"] and _creates(emulator) == 1
