"""Each review rule, over loopback HTTP: data that passes it and data that fails it.

Clean data comes from reconciler.speechlike; each failing case changes one thing about it
(one sentence of twenty, or the long take), so the rule at work is the one that answers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from reconciler import speechlike
from reconciler.emulator import Emulator, Tenant
from reconciler.wav import wav_header
from tests.emulator.conftest import MakeEmulator
from tests.emulator.helpers import USER, Api, put, sentence_members, silence, zip_bytes

CLEAN = speechlike.sentence_wav(1.0)
RATE = speechlike.RATE


def _samples(wav: bytes) -> np.ndarray:
    return np.frombuffer(wav[44:], dtype="<i2").astype(np.float64) / 32768.0


def _pcm(samples: np.ndarray, *, rate: int = RATE, bits: int = 16, channels: int = 1) -> bytes:
    if bits == 24:
        ints = np.round(np.clip(samples, -1, 1 - 2**-23) * 2**23).astype("<i4")
        data = b"".join(int(v).to_bytes(4, "little", signed=True)[:3] for v in ints)
    else:
        ints = np.round(np.clip(samples, -1, 1 - 2**-15) * 32768).astype("<i2")
        data = np.repeat(ints, channels).tobytes()
    return wav_header(len(data), sample_rate=rate, bits=bits, channels=channels) + data


def _noise(count: int, rms_db: float) -> np.ndarray:
    rng = np.random.default_rng(7)
    noise: np.ndarray = rng.normal(0.0, 10 ** (rms_db / 20), count)
    return noise


def _clipped() -> bytes:
    return _pcm(np.clip(_samples(CLEAN) * 8, -1, 1))


def _gain(db: float) -> bytes:
    return _pcm(_samples(CLEAN) * 10 ** (db / 20))


def _noisy(noise_db: float) -> bytes:
    samples = _samples(CLEAN)
    return _pcm(samples + _noise(len(samples), noise_db))


def _spliced(clips: int) -> bytes:
    """Sentences glued end to end with their silences cut: no pause to split the take at."""
    voiced = [
        _samples(speechlike.sentence_wav(6.0, seed))[RATE // 2 : -RATE // 2]
        for seed in range(clips)
    ]
    return _pcm(np.concatenate(voiced))


def _png() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(17) + b"IEND"


SENTENCE_CASES: list[tuple[str, Callable[[], bytes], str | None]] = [
    ("48k-mono-16bit", lambda: CLEAN, None),
    ("44.1k", lambda: _pcm(_samples(CLEAN), rate=44100), "MSS.20020011"),
    ("stereo", lambda: _pcm(_samples(CLEAN), channels=2), "MSS.20020011"),
    ("24-bit", lambda: _pcm(_samples(CLEAN), bits=24), "MSS.20020011"),
    ("not-audio", lambda: b"RIFF\x00\x00\x00\x00WAVEjunk", "MSS.20020011"),
    ("silent", lambda: silence(1.0), "MSS.20029001"),
    ("peaks-at-minus-1-dBFS", lambda: _gain(2.0), None),
    ("clipped", _clipped, "MSS.20029002"),
    ("speech-at-minus-30-dBFS", lambda: _gain(-12.0), None),
    ("speech-at-minus-45-dBFS", lambda: _gain(-27.0), "MSS.20029003"),
    ("snr-30-dB", lambda: _noisy(-48.0), None),
    ("snr-8-dB", lambda: _noisy(-26.0), "MSS.20029004"),
    ("sentence-14.5-s", lambda: speechlike.sentence_wav(14.5), None),
    ("sentence-16-s", lambda: speechlike.sentence_wav(16.0), "MSS.20029005"),
]


def _submit_package(api: Api, edition: str, data: bytes, **fields: Any) -> dict[str, Any]:
    created = api.create(edition, **fields)
    assert put(created["training_data_uploading_url"], data, "application/zip").ok
    assert api.submit(created["job_id"]).status_code == 200
    return api.show(created["job_id"])


def _errors(api: Api, job_id: str) -> list[dict[str, str]]:
    result = api.ok("GET", f"{USER}/jobs/{job_id}/audit-result")
    return list(result["system_audit_result"]["errors"])


def _assert_verdict(api: Api, job: dict[str, Any], code: str | None, audio_name: str) -> None:
    errors = _errors(api, job["job_id"])
    if code is None:
        assert (job["state"], errors) == ("SUCCEED", []), errors
        return
    assert job["state"] == "AUDIT_FAILED"
    assert [(e["error_code"], e["audio_name"]) for e in errors] == [(code, audio_name)], errors
    assert job["job_failed_code"] == code


@pytest.mark.parametrize(
    ("case", "make", "code"), SENTENCE_CASES, ids=[c[0] for c in SENTENCE_CASES]
)
def test_sentence_recording_rule(
    api: Api, case: str, make: Callable[[], bytes], code: str | None
) -> None:
    members = sentence_members(20)
    members["3.wav"] = make()
    job = _submit_package(api, "basic", zip_bytes(members), language="CN")
    _assert_verdict(api, job, code, "3.wav")


@pytest.mark.parametrize(
    ("case", "make", "code"),
    [
        ("take-with-pauses", lambda: speechlike.long_take_wav(4), None),
        ("spliced-clips", lambda: _spliced(4), "MSS.20029005"),
    ],
    ids=["take-with-pauses", "spliced-clips"],
)
def test_long_take_needs_pauses(
    api: Api, case: str, make: Callable[[], bytes], code: str | None
) -> None:
    job = _submit_package(api, "advance", zip_bytes({"VoiceClone.wav": make()}))
    _assert_verdict(api, job, code, "VoiceClone.wav")


@pytest.mark.parametrize(
    ("language", "text", "code"),
    [
        ("CN", "这是一句训练文本。", None),
        ("CN", "This is a training sentence.", "MSS.20029007"),
        ("EN", "This is a training sentence.", None),
        ("EN", "这是一句训练文本。", "MSS.20029007"),
    ],
)
def test_transcript_language_matches_the_job(
    api: Api, language: str, text: str, code: str | None
) -> None:
    members = sentence_members(20, language=language)
    members["5.txt"] = text.encode()
    job = _submit_package(api, "basic", zip_bytes(members), language=language)
    _assert_verdict(api, job, code, "5.wav")


@pytest.mark.parametrize(
    ("letter", "code"),
    [
        (speechlike.one_page_pdf("signed"), None),
        (_png(), None),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64) + b"\xff\xd9", None),
        (b"%PDF-1.4 cut off here", "MSS.20029009"),
        (b"I, the speaker, agree.", "MSS.20029009"),
    ],
    ids=["pdf", "png", "jpg", "truncated-pdf", "plain-text"],
)
def test_authorization_letter_is_a_pdf_or_photo(api: Api, letter: bytes, code: str | None) -> None:
    created = api.create("basic")
    assert put(
        created["training_data_uploading_url"], zip_bytes(sentence_members(20)), "application/zip"
    ).ok
    assert put(created["authorization_letter_uploading_url"], letter, "application/pdf").ok
    assert api.submit(created["job_id"]).status_code == 200
    _assert_verdict(api, api.show(created["job_id"]), code, "authorization letter")


def _zip_with(extra: dict[str, bytes], drop: tuple[str, ...] = ()) -> bytes:
    members = {k: v for k, v in sentence_members(20).items() if k not in drop}
    return zip_bytes({**members, **extra})


@pytest.mark.parametrize(
    ("edition", "data", "code", "audio_name"),
    [
        ("basic", lambda: _zip_with({"notes.docx": b"PK"}), "MSS.20020012", "notes.docx"),
        ("basic", lambda: _zip_with({}, drop=("19.wav", "19.txt")), "MSS.20020016", "19.wav"),
        (
            "basic",
            lambda: _zip_with({"20.wav": CLEAN, "20.txt": "多余的句子".encode()}),
            "MSS.20020016",
            "20.txt",
        ),
        (
            "advance",
            lambda: zip_bytes({"a.wav": CLEAN, "b.wav": CLEAN}),
            "MSS.20020016",
            "data.zip",
        ),
        ("advance", lambda: b"PK\x03\x04 but not a zip at all", "MSS.20020013", "data.zip"),
    ],
    ids=["file-type", "19-pairs", "21-pairs", "two-long-takes", "not-a-zip"],
)
def test_package_layout_errors_carry_the_documented_codes(
    api: Api, edition: str, data: Callable[[], bytes], code: str, audio_name: str
) -> None:
    job = _submit_package(api, edition, data())
    errors = _errors(api, job["job_id"])
    assert job["state"] == "AUDIT_FAILED"
    assert (code, audio_name) in [(e["error_code"], e["audio_name"]) for e in errors], errors


def _tenant_emulator(make_emulator: MakeEmulator, **durations: int) -> Api:
    emulator: Emulator = make_emulator(tenant=Tenant.from_dict({"durations": durations}))
    return Api(emulator.base_url)


@pytest.mark.parametrize(
    ("seconds", "code"),
    [(1.0, "MSS.20029006"), (2.0, None), (4.0, "MSS.20029006")],
    ids=["20-s-under-min", "40-s-in-range", "80-s-over-max"],
)
def test_total_duration_is_held_to_the_tenant_range(
    make_emulator: MakeEmulator, seconds: float, code: str | None
) -> None:
    api = _tenant_emulator(make_emulator, basic_min=30, basic_max=60)
    members = sentence_members(20, seconds)
    job = _submit_package(api, "basic", zip_bytes(members))
    _assert_verdict(api, job, code, "")
    if code:
        assert "30 to 60 s" in _errors(api, job["job_id"])[0]["error_message"]


def test_default_tenant_rejects_a_30_second_premium_voice(make_emulator: MakeEmulator) -> None:
    api = Api(make_emulator(tenant=Tenant()).base_url)
    job = _submit_package(
        api, "advance", zip_bytes({"VoiceClone.wav": speechlike.long_take_wav(4)})
    )
    _assert_verdict(api, job, "MSS.20029006", "")
    assert "3600 to 18000 s" in _errors(api, job["job_id"])[0]["error_message"]


def test_segment_confirmation_applies_the_same_rules(api: Api) -> None:
    created = api.create("basic", create_type="SEGMENT", language="CN")
    urls = created["segment_uploading_url"]
    assert put(urls["audio_uploading_url"][0], silence(1.0), "audio/wav").ok
    assert put(urls["txt_uploading_url"][0], speechlike.transcript(0).encode(), "text/plain").ok
    assert api.confirm(created["job_id"], 0).json() == {
        "confirm_result": False,
        "unmatched_index_hit": [0],
    }
    assert put(urls["audio_uploading_url"][0], CLEAN, "audio/wav").ok
    assert api.confirm(created["job_id"], 0).json()["confirm_result"] is True


def test_assess_result_reports_what_the_review_measured(api: Api) -> None:
    members = sentence_members(20)
    members["2.wav"] = _noisy(-40.0)  # passes, but is the noisiest sentence
    job = _submit_package(api, "basic", zip_bytes(members))
    assert job["state"] == "SUCCEED"
    assess = job["assess_result"]
    # The speech models (the audio extra, which the tests install) add DNSMOS and reverb.
    measured = {"snr", "sound", "speed", "dnsmos_ovrl", "dnsmos_bak", "reverb"}
    assert set(assess) == {*measured, "suggestion"}
    for name in measured:
        item = assess[name]
        assert set(item) == {"expected", "actual", "suggestion", "suggestion_en", "status"}
        assert item["status"] in (0, 1) and item["actual"]
    for item in (assess["snr"], assess["sound"]):
        assert item["status"] == 0
    assert 1.0 <= float(assess["dnsmos_bak"]["actual"]) <= 5.0
    snr = float(assess["snr"]["actual"].split()[0])
    assert 15 <= snr <= 30  # the noisy sentence, not the clean ones at about 50 dB
