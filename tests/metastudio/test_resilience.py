"""Faults, retries, the create rule, uploads and secrets, against the emulator."""

from __future__ import annotations

import logging
import re
import time
import tracemalloc
from pathlib import Path

import pytest

from reconciler.emulator import Emulator, FaultPlan
from reconciler.metastudio import (
    MetaStudioClient,
    OutcomeUnknownError,
    RateLimits,
    SignedUrl,
    TransportError,
    UploadRejectedError,
)
from reconciler.metastudio.transport import SEND_BLOCK
from tests.metastudio.conftest import SK, RecordingSleep, emulator_config, make_client
from tests.metastudio.helpers import admin, sentence_zip, stats, trained_asset

BODY = {"voice_name": "calm", "sex": "MALE", "create_type": "PACKAGE"}


def faults(emulator: Emulator, plan: dict[str, object]) -> None:
    emulator.set_faults(FaultPlan.parse(plan))
    admin(emulator.base_url, "DELETE", "/stats")


def sleeps(client: MetaStudioClient) -> list[float]:
    recorder = client.transport.sleep
    assert isinstance(recorder, RecordingSleep)
    return recorder.calls


def test_5xx_on_a_query_is_retried(client: MetaStudioClient, emulator: Emulator) -> None:
    created = client.create_job("BASIC", BODY)
    faults(emulator, {"show_job": {"error_500": 1.0, "times": 2}})
    assert client.show_job(created.job_id).job_id == created.job_id
    assert stats(emulator.base_url)["show_job"] == 3 and len(sleeps(client)) == 2


def test_retries_are_bounded(client: MetaStudioClient, emulator: Emulator) -> None:
    faults(emulator, {"list_jobs": {"error_500": 1.0}})
    with pytest.raises(Exception) as error:
        client.list_jobs()
    assert "HTTP 500" in str(error.value)
    assert stats(emulator.base_url)["list_jobs"] == 4  # max_attempts


def test_429_honours_retry_after(client: MetaStudioClient, emulator: Emulator) -> None:
    faults(emulator, {"list_jobs": {"throttle_429": 1.0, "retry_after": 3, "times": 1}})
    client.list_jobs()
    assert sleeps(client) and sleeps(client)[0] >= 3.0


def test_connection_reset_on_a_query_is_retried(
    client: MetaStudioClient, emulator: Emulator
) -> None:
    faults(emulator, {"list_jobs": {"reset": 1.0, "times": 2}})
    assert client.list_jobs().count == 0
    assert stats(emulator.base_url)["list_jobs"] == 3


def test_latency_is_survived(client: MetaStudioClient, emulator: Emulator) -> None:
    faults(emulator, {"list_jobs": {"latency": 0.2}})
    started = time.monotonic()
    client.list_jobs()
    assert time.monotonic() - started >= 0.2


def test_create_500_is_outcome_unknown_and_not_repeated(
    client: MetaStudioClient, emulator: Emulator
) -> None:
    faults(emulator, {"create_*": {"error_500": 1.0, "times": 1}})
    with pytest.raises(OutcomeUnknownError) as error:
        client.create_job("BASIC", BODY)
    assert "outcome unknown" in str(error.value)
    assert stats(emulator.base_url)["create_basic_job"] == 1


def test_dropped_create_response_leaves_a_findable_job(
    client: MetaStudioClient, emulator: Emulator
) -> None:
    faults(emulator, {"create_basic_job": {"drop_response": 1.0, "times": 1}})
    with pytest.raises(OutcomeUnknownError):
        client.create_job("BASIC", BODY)
    assert stats(emulator.base_url)["create_basic_job"] == 1  # never blindly repeated
    found = list(client.iter_jobs(voice_name="calm"))
    assert len(found) == 1  # the job exists: the executor must adopt it, not create another


def test_throttled_create_is_retried_safely(client: MetaStudioClient, emulator: Emulator) -> None:
    faults(emulator, {"create_basic_job": {"throttle_429": 1.0, "retry_after": 0, "times": 2}})
    client.create_job("BASIC", BODY)
    assert len(list(client.iter_jobs(voice_name="calm"))) == 1


def test_connection_refused_is_a_transport_error(tmp_path: Path) -> None:
    with make_client("http://127.0.0.1:9") as client:
        with pytest.raises(TransportError):
            client.list_jobs()
        with pytest.raises(TransportError):  # nothing was sent, so not "outcome unknown"
            client.create_job("BASIC", BODY)


def test_rate_limit_spaces_creates(emulator: Emulator) -> None:
    with make_client(emulator.base_url) as client:
        client.transport.limits = RateLimits({"create": 20.0})
        client.transport.limits.buckets["create"].sleep = time.sleep
        started = time.monotonic()
        for i in range(40):
            client.create_job("BASIC", {**BODY, "voice_name": f"v{i}"})
        # a burst of 20, then 20 more at 20/s
        assert time.monotonic() - started >= 0.9


def test_upload_url_binding_expiry_and_refresh(tmp_path: Path) -> None:
    config = emulator_config(tmp_path / "emu", url_ttl_seconds=3)
    with Emulator(config, host="127.0.0.1", port=0) as emulator:
        with make_client(emulator.base_url) as client:
            created = client.create_job("BASIC", BODY)
            package = sentence_zip(tmp_path / "d.zip", 20)
            assert created.uploads.package is not None
            with pytest.raises(UploadRejectedError):  # bound to application/zip
                client.upload(created.uploads.package, package, "text")
            time.sleep(3.5)  # past the TTL; a fresh URL then has 3 s, ample under load
            with pytest.raises(UploadRejectedError) as expired:
                client.upload(created.uploads.package, package, "package")
            assert "Signature" not in str(expired.value) and "?<redacted>" in str(expired.value)

            def refresh() -> SignedUrl:
                fresh = client.get_upload_urls(created.job_id).package
                assert fresh is not None
                return fresh

            client.upload(created.uploads.package, package, "package", refresh=refresh)
            client.submit_job(created.job_id)


def test_upload_memory_is_flat_and_blocks_are_large(
    client: MetaStudioClient, tmp_path: Path
) -> None:
    created = client.create_job("ADVANCE", BODY)
    assert created.uploads.package is not None
    blocks: list[int] = []
    peaks = []
    for size_mib in (8, 64):
        blob = tmp_path / f"{size_mib}.zip"
        with blob.open("wb") as out:
            out.truncate(size_mib << 20)
        tracemalloc.start()
        client.upload(created.uploads.package, blob, "package", progress=blocks.append)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        blob.unlink()
    assert peaks[1] < 16 << 20, peaks  # far below the 64 MiB body
    assert peaks[1] < peaks[0] * 2 + (4 << 20), peaks  # does not grow with the body
    assert max(blocks) >= 128 << 10 and max(blocks) <= SEND_BLOCK
    assert sum(blocks) == (8 << 20) + (64 << 20)


def test_failed_upload_progress_is_rewound(
    client: MetaStudioClient, emulator: Emulator, tmp_path: Path
) -> None:
    created = client.create_job("BASIC", BODY)
    assert created.uploads.package is not None
    package = sentence_zip(tmp_path / "d.zip", 20)
    faults(emulator, {"object_put": {"error_500": 1.0, "times": 1}})
    progress: list[int] = []
    client.upload(created.uploads.package, package, "package", progress=progress.append)
    assert sum(progress) == package.stat().st_size
    assert stats(emulator.base_url)["object_put"] == 2


def test_download_retries_a_failing_store_then_gives_up_leaving_nothing(
    client: MetaStudioClient, emulator: Emulator, tmp_path: Path
) -> None:
    asset_id = trained_asset(client, emulator.base_url, tmp_path)
    tts_job = client.create_tts_audition({"text": "Hello there.", "emotion": asset_id})
    url = client.get_tts_audition_file(tts_job).download_urls[0]
    out = tmp_path / "out"
    faults(emulator, {"object_get": {"error_500": 1.0, "times": 2}})
    before = len(sleeps(client))
    assert client.download(url, out / "0.wav") == (out / "0.wav").stat().st_size > 0
    assert stats(emulator.base_url)["object_get"] == 3 and len(sleeps(client)) == before + 2
    faults(emulator, {"object_get": {"error_500": 1.0}})
    with pytest.raises(TransportError, match="HTTP 500"):
        client.download(url, out / "1.wav")
    assert stats(emulator.base_url)["object_get"] == 4  # max_attempts
    assert sorted(p.name for p in out.iterdir()) == ["0.wav"]  # no partial or temp file


def test_no_secret_reaches_logs_errors_or_reprs(
    client: MetaStudioClient, emulator: Emulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    created = client.create_job("BASIC", BODY)
    assert created.uploads.package is not None
    signature = created.uploads.package.value.split("?", 1)[1]
    texts = [
        repr(created),
        repr(created.uploads),
        str(created.uploads.package),
        repr(client.transport.credentials),
    ]
    package = sentence_zip(tmp_path / "d.zip", 20)
    try:
        client.upload(created.uploads.package, package, "text")
    except UploadRejectedError as error:
        texts += [str(error), repr(error)]
    faults(emulator, {"list_jobs": {"error_500": 1.0}})
    try:
        client.list_jobs()
    except Exception as error:
        texts += [str(error), repr(error)]
    texts.append(caplog.text)
    joined = "\n".join(texts)
    for needle in (SK, signature):
        at = joined.find(needle)
        assert at < 0, (needle, joined[max(0, at - 300) : at + 100])
    # the emulator logs its side of the exchange with the signature masked as ***
    assert not re.search(r"Signature=(?!\*\*\*)", joined)
    assert "Authorization" not in caplog.text
