"""Jobs from create to SUCCEED, through the system audit, admin controls and the clock."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from reconciler.emulator import Emulator
from tests.emulator.conftest import MakeEmulator
from tests.emulator.helpers import USER, Api, long_zip, put, sentence_members, sentence_zip, wav

HAPPY_ACTIONS = [
    "CREATE_JOB",
    "COMMIT_JOB",
    "SYSTEM_AUDIT_PASS",
    "ADMIN_AUDIT_PASS",
    "TRAINING_FINISH",
    "UPLOADING_MODEL",
    "COMPLETE_JOB",
]
PACKAGES: dict[str, Callable[[], bytes]] = {
    "basic": lambda: sentence_zip(20),
    "middle": lambda: sentence_zip(100),
    "advance": long_zip,
    "third-party": long_zip,
}


def _actions(api: Api, job_id: str) -> list[str]:
    logs = api.ok("GET", f"{USER}/jobs/{job_id}/op-logs", query=[("limit", "100")])
    return [entry["action"] for entry in logs["operations"]]


def _upload_package(api: Api, created: dict[str, Any], data: bytes) -> None:
    response = put(created["training_data_uploading_url"], data, "application/zip")
    assert response.status_code == 200, response.text


def _assert_succeeded(api: Api, job_id: str) -> dict[str, Any]:
    job = api.show(job_id)
    assert job["state"] == "SUCCEED", job
    assert _actions(api, job_id) == HAPPY_ACTIONS
    asset = api.ok("GET", f"digital-assets/{job['asset_id']}")
    assert asset["asset_name"] == job["voice_name"]
    assert asset["asset_state"] == "ACTIVED" and asset["asset_type"] == "VOICE_MODEL"
    return job


@pytest.mark.parametrize("edition", sorted(PACKAGES))
def test_package_job_reaches_succeed(api: Api, edition: str) -> None:
    created = api.create(edition, voice_name=f"{edition}-voice")
    _upload_package(api, created, PACKAGES[edition]())
    assert api.submit(created["job_id"]).status_code == 200
    job = _assert_succeeded(api, created["job_id"])
    assert "training_input_source_url" in job
    response = api.submit(created["job_id"])
    assert response.status_code == 400
    assert "SUCCEED" in response.json()["error_msg"]


def test_basic_job_accepts_one_long_recording(api: Api) -> None:
    created = api.create("basic")
    _upload_package(api, created, long_zip())
    assert api.submit(created["job_id"]).status_code == 200
    _assert_succeeded(api, created["job_id"])


@pytest.mark.parametrize(("edition", "count"), [("basic", 20), ("middle", 100)])
def test_segment_job_reaches_succeed(api: Api, edition: str, count: int) -> None:
    created = api.create(edition, create_type="SEGMENT")
    urls = created["segment_uploading_url"]
    members = sentence_members(count)
    for i in range(count):
        assert put(urls["audio_uploading_url"][i], members[f"{i}.wav"], "audio/wav").ok
        assert put(urls["txt_uploading_url"][i], members[f"{i}.txt"], "text/plain").ok
        assert api.confirm(created["job_id"], i).json()["confirm_result"] is True
    assert api.submit(created["job_id"], {"tag": "NEWS"}).status_code == 200
    job = _assert_succeeded(api, created["job_id"])
    assert job["tag"] == "NEWS" and job["create_type"] == "SEGMENT"


@pytest.mark.parametrize(
    ("bad", "audio_name", "text_name", "words", "code"),
    [
        ({"_3_wav": wav(16)}, "3.wav", "3.txt", "15 s", "MSS.20029005"),
        ({"_4_txt": b"  \n"}, "4.wav", "4.txt", "empty", "MSS.20029008"),
        ({"_5_wav": wav(1, channels=2)}, "5.wav", "5.txt", "mono", "MSS.20020011"),
        ({"_6_wav": b"RIFF....not a wav"}, "6.wav", "6.txt", "format", "MSS.20020011"),
    ],
)
def test_bad_file_fails_the_audit_and_is_named(
    api: Api, bad: dict[str, bytes], audio_name: str, text_name: str, words: str, code: str
) -> None:
    created = api.create("basic")
    job_id = created["job_id"]
    _upload_package(api, created, sentence_zip(20, **bad))
    assert api.submit(job_id).status_code == 200
    job = api.show(job_id)
    assert job["state"] == "AUDIT_FAILED"
    assert job["reject_times"] == 1
    assert job["job_failed_code"] == code
    result = api.ok("GET", f"{USER}/jobs/{job_id}/audit-result")
    errors = result["system_audit_result"]["errors"]
    assert len(errors) == 1
    assert errors[0]["audio_name"] == audio_name and errors[0]["text_name"] == text_name
    assert errors[0]["error_code"] == code
    assert words in errors[0]["error_message"]
    assert _actions(api, job_id)[-1] == "AUDIT_NOT_PASS"


def test_missing_sentences_and_non_zip_fail_the_audit(api: Api) -> None:
    members = sentence_members(20)
    del members["7.txt"]
    from tests.emulator.helpers import zip_bytes

    created = api.create("basic")
    _upload_package(api, created, zip_bytes(members))
    api.submit(created["job_id"])
    errors = api.ok("GET", f"{USER}/jobs/{created['job_id']}/audit-result")
    assert errors["system_audit_result"]["errors"][0]["text_name"] == "7.txt"
    created = api.create("advance")
    _upload_package(api, created, b"PK not really a zip")
    api.submit(created["job_id"])
    assert api.show(created["job_id"])["state"] == "AUDIT_FAILED"


def test_reupload_and_resubmit_after_audit_failed(api: Api) -> None:
    created = api.create("basic")
    job_id = created["job_id"]
    _upload_package(api, created, sentence_zip(20, _0_txt=b""))
    api.submit(job_id)
    assert api.show(job_id)["state"] == "AUDIT_FAILED"
    fresh = api.ok("GET", f"{USER}/jobs/{job_id}/uploading-address-url")
    data = sentence_zip(20)
    response = put(fresh["package_url"]["training_data_uploading_url"], data, "application/zip")
    assert response.status_code == 200
    assert api.submit(job_id).status_code == 200
    job = api.show(job_id)
    assert job["state"] == "SUCCEED" and job["reject_times"] == 1
    assert "job_failed_code" not in job


def test_segment_reupload_needs_a_new_confirmation(api: Api) -> None:
    created = api.create("basic", create_type="SEGMENT")
    urls = created["segment_uploading_url"]
    members = sentence_members(20)
    for i in range(20):
        put(urls["audio_uploading_url"][i], members[f"{i}.wav"], "audio/wav")
        put(urls["txt_uploading_url"][i], members[f"{i}.txt"], "text/plain")
        api.confirm(created["job_id"], i)
    put(urls["txt_uploading_url"][2], "改过的文字".encode(), "text/plain")
    api.submit(created["job_id"])
    result = api.ok("GET", f"{USER}/jobs/{created['job_id']}/audit-result")
    assert [e["audio_name"] for e in result["system_audit_result"]["errors"]] == ["2.wav"]
    assert "confirmed" in result["system_audit_result"]["errors"][0]["error_message"]


def test_confirm_reports_an_unusable_sentence(api: Api) -> None:
    created = api.create("basic", create_type="SEGMENT")
    urls = created["segment_uploading_url"]
    put(urls["audio_uploading_url"][0], wav(20), "audio/wav")
    put(urls["txt_uploading_url"][0], b"text", "text/plain")
    result = api.confirm(created["job_id"], 0).json()
    assert result == {"confirm_result": False, "unmatched_index_hit": [0]}


def test_admin_advance_walks_every_state(make_emulator: MakeEmulator) -> None:
    emu = make_emulator(seconds_per_state=-1)
    api = Api(emu.base_url)
    created = api.create("advance")
    _upload_package(api, created, long_zip())
    api.submit(created["job_id"])
    states = [api.show(created["job_id"])["state"]]
    while states[-1] != "SUCCEED":
        states.append(emu.advance_job(created["job_id"])["state"])
        assert api.show(created["job_id"])["state"] == states[-1]
    assert states == [
        "SYSTEM_AUDITING",
        "AUDITING",
        "WAITING_SPLIT",
        "SPLITTING",
        "ANNOTATING",
        "WAITING",
        "PROCESSING",
        "UPLOADING",
        "SUCCEED",
    ]
    import requests

    again = requests.post(f"{emu.base_url}/_emulator/jobs/{created['job_id']}/advance", timeout=5)
    assert again.status_code == 409


def test_admin_fail_over_http(make_emulator: MakeEmulator) -> None:
    import requests

    emu = make_emulator(seconds_per_state=-1)
    api = Api(emu.base_url)
    created = api.create("basic")
    _upload_package(api, created, sentence_zip(20))
    api.submit(created["job_id"])
    admin = f"{emu.base_url}/_emulator/jobs/{created['job_id']}"
    assert requests.post(f"{admin}/advance", timeout=5).json()["state"] == "AUDITING"
    body = {"state": "AUDIT_FAILED", "reason": "voice does not match the letter"}
    job = requests.post(f"{admin}/fail", json=body, timeout=5).json()
    assert job["state"] == "AUDIT_FAILED" and job["reject_times"] == 1
    result = api.ok("GET", f"{USER}/jobs/{created['job_id']}/audit-result")
    assert result["admin_audit_result"]["message"] == "voice does not match the letter"
    assert api.submit(created["job_id"]).status_code == 200
    body = {"state": "FAILED", "reason": "training diverged"}
    job = requests.post(f"{admin}/fail", json=body, timeout=5).json()
    assert job["state"] == "FAILED" and job["job_failed_reason"] == "training diverged"
    assert api.show(created["job_id"])["job_failed_code"]
    assert requests.post(f"{admin}/fail", json={"state": "NOPE"}, timeout=5).status_code == 400


def test_time_based_advance(make_emulator: MakeEmulator) -> None:
    emu: Emulator = make_emulator(seconds_per_state=0.2)
    api = Api(emu.base_url)
    created = api.create("basic")
    _upload_package(api, created, sentence_zip(20))
    api.submit(created["job_id"])
    assert api.show(created["job_id"])["state"] == "SYSTEM_AUDITING"
    time.sleep(0.25)
    assert api.show(created["job_id"])["state"] == "AUDITING"
    time.sleep(0.85)  # five more states at 0.2 s each end at 1.2 s after submit
    job = api.show(created["job_id"])
    assert job["state"] == "SUCCEED"
    assert _actions(api, created["job_id"]) == HAPPY_ACTIONS


def test_the_clock_lets_days_pass_without_breaking_signed_requests(
    make_emulator: MakeEmulator,
) -> None:
    import requests

    emu: Emulator = make_emulator(seconds_per_state=3600.0)
    api = Api(emu.base_url)
    created = api.create("basic")
    _upload_package(api, created, sentence_zip(20))
    api.submit(created["job_id"])
    clock = f"{emu.base_url}/_emulator/clock"
    assert requests.post(clock, json={"advance_seconds": -1}, timeout=5).status_code == 400
    assert requests.post(clock, json={"advance_seconds": "day"}, timeout=5).status_code == 400
    moved = requests.post(clock, json={"advance_seconds": 86400}, timeout=5).json()
    assert moved["offset_seconds"] == 86400.0
    read = requests.get(clock, timeout=5).json()
    assert read["offset_seconds"] == moved["offset_seconds"]
    # The emulated "now" moves on with the wall clock: a second may tick between the two.
    when = [datetime.strptime(c["now"], "%Y-%m-%dT%H:%M:%SZ") for c in (moved, read)]
    assert 0 <= (when[1] - when[0]).total_seconds() <= 2
    # A day of hour-long states has passed; the client signs with the wall clock and is let in.
    assert api.show(created["job_id"])["state"] == "SUCCEED"
