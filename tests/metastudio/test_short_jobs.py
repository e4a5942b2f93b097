"""Short jobs (op 18) between the client and the emulator, over loopback HTTP: create, upload
the sample, commit, show; the emulator's own analysis fills ``assess_result``."""

from __future__ import annotations

import io
import threading
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import requests
import soundfile

from reconciler import speechlike
from reconciler.emulator import Emulator, Tenant
from reconciler.emulator.faults import FaultPlan
from reconciler.metastudio import MetaStudioClient, MetaStudioError, OutcomeUnknownError, api
from reconciler.metastudio.short_jobs import ShortJob, ShortJobTimeout, wait_short_job
from tests.emulator.helpers import Api
from tests.metastudio.conftest import AK, PROJECT, SK, emulator_config, make_client

_SHORT = "voice-training-manage/user/short-jobs"


def sample_zip(path: Path, *members: bytes) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for index, wav in enumerate(members):
            archive.writestr(f"{index}.wav", wav)
    return path


def noisy(wav: bytes, noise_dbfs: float) -> bytes:
    samples, _ = soundfile.read(io.BytesIO(wav), dtype="float64")
    rng = np.random.default_rng(1)
    samples = samples + rng.normal(0.0, 10 ** (noise_dbfs / 20), samples.size)
    return speechlike.pcm16(samples, speechlike.RATE)


def operations(emulator: Emulator) -> Counter[str]:
    return Counter(emulator.stats()["operations"])


def committed(client: MetaStudioClient, zipped: Path, language: str | None = "CN") -> str:
    created = client.create_short_job(language)
    assert created.job_id and created.data_uploading_url is not None
    client.upload(created.data_uploading_url, zipped, "package")
    client.commit_short_job(created.job_id)
    return created.job_id


def test_a_sample_is_assessed_by_the_emulators_own_analysis(
    client: MetaStudioClient, emulator: Emulator, tmp_path: Path
) -> None:
    zipped = sample_zip(tmp_path / "s.zip", speechlike.long_take_wav(3, 5.0))
    job_id = committed(client, zipped)
    running = client.show_short_job(job_id)
    assert (running.job_id, running.job_type, running.state) == (
        job_id,
        "VOICE_ASSESS",
        "PROCESSING",
    )
    assert running.assess_result is None and not running.settled
    emulator.advance_short_job(job_id)
    done = client.show_short_job(job_id)
    assert done.succeeded and done.settled
    assert done.assess_result is not None
    snr = done.assess_result.item("snr")
    sound = done.assess_result.item("sound")
    assert snr is not None and sound is not None
    assert (snr.status, sound.status) == (0, 0)
    assert snr.actual and snr.actual.endswith(" dB") and float(snr.actual.split()[0]) > 15
    assert snr.expected == ">= 15 dB"
    assert operations(emulator) == {
        "create_short_job": 1,
        "object_put": 1,
        "commit_short_job": 1,
        "show_short_job": 2,
    }
    assert emulator.jobs() == []  # no training job, no resource


def test_noise_puts_snr_out_of_range(
    client: MetaStudioClient, emulator: Emulator, tmp_path: Path
) -> None:
    wav = noisy(speechlike.long_take_wav(3, 5.0), -20.0)
    job_id = committed(client, sample_zip(tmp_path / "s.zip", wav))
    emulator.advance_short_job(job_id)
    result = client.show_short_job(job_id).assess_result
    assert result is not None
    snr = result.item("snr")
    assert snr is not None and snr.status == 1 and snr.out_of_range
    assert snr.suggestion_en and "noise" in snr.suggestion_en
    assert result.suggestion and "noise" in result.suggestion


def test_a_sample_outside_the_tenants_range_fails(tmp_path: Path) -> None:
    tenant = Tenant.from_dict({"durations": {"short_assess_min": 20, "short_assess_max": 30}})
    config = emulator_config(tmp_path / "emu", tenant=tenant, seconds_per_state=0.0)
    with Emulator(config) as emulator, make_client(emulator.base_url) as client:
        durations = client.show_tenant_duration_cfg()
        assert (durations.short_assess_min, durations.short_assess_max) == (20, 30)
        job_id = committed(client, sample_zip(tmp_path / "s.zip", speechlike.sentence_wav(8.0)))
        failed = client.show_short_job(job_id)  # seconds_per_state 0: done on this read
    assert (failed.state, failed.job_failed_code) == ("FAILED", "MSS.20029006")
    assert failed.job_failed_reason and "20 to 30 s" in failed.job_failed_reason
    assert failed.settled and not failed.succeeded
    assert failed.failure().startswith("FAILED (MSS.20029006: the sample lasts 8.0 s")


def test_a_recording_in_another_format_fails_with_the_format_code(
    client: MetaStudioClient, emulator: Emulator, tmp_path: Path
) -> None:
    wav = speechlike.steady_wav(15.0, sample_rate=16000)
    job_id = committed(client, sample_zip(tmp_path / "s.zip", wav))
    emulator.advance_short_job(job_id)
    failed = client.show_short_job(job_id)
    assert (failed.state, failed.job_failed_code) == ("FAILED", "MSS.20020011")
    assert failed.job_failed_reason and "48 kHz" in failed.job_failed_reason


def test_commit_needs_the_upload_and_happens_once(
    client: MetaStudioClient, emulator: Emulator, tmp_path: Path
) -> None:
    created = client.create_short_job("EN")
    with pytest.raises(MetaStudioError) as refused:
        client.commit_short_job(created.job_id)
    assert (refused.value.status, refused.value.error_code) == (400, "MSS.00000003")
    assert "upload" in str(refused.value)
    assert created.data_uploading_url is not None
    garbage = tmp_path / "garbage.zip"
    garbage.write_bytes(b"not a zip at all")
    client.upload(created.data_uploading_url, garbage, "package")
    client.commit_short_job(created.job_id)
    with pytest.raises(MetaStudioError) as again:
        client.commit_short_job(created.job_id)
    assert again.value.status == 400 and "PROCESSING" in str(again.value)
    # The sample is taken only while the job waits for it.
    response = requests.put(
        created.data_uploading_url.value,
        data=b"late",
        headers={"Content-Type": "application/zip"},
        timeout=10,
    )
    assert response.status_code == 403
    emulator.advance_short_job(created.job_id)
    not_a_zip = client.show_short_job(created.job_id)
    assert (not_a_zip.state, not_a_zip.job_failed_code) == ("FAILED", "MSS.20020013")


def test_the_upload_url_is_bound_to_a_zip(client: MetaStudioClient) -> None:
    created = client.create_short_job()
    assert created.data_uploading_url is not None
    response = requests.put(
        created.data_uploading_url.value,
        data=b"PK",
        headers={"Content-Type": "audio/wav"},
        timeout=10,
    )
    assert response.status_code == 403 and b"SignatureDoesNotMatch" in response.content


def test_bad_requests_are_refused_as_the_api_refuses_them(client: MetaStudioClient) -> None:
    transport = client.transport
    for body in ({}, {"job_type": "VOICE_CHECK"}, {"job_type": "VOICE_ASSESS", "language": "FR"}):
        with pytest.raises(MetaStudioError) as refused:
            transport.call(api.CREATE_SHORT_JOB, body=body)
        assert (refused.value.status, refused.value.error_code) == (400, "MSS.00000003")
    with pytest.raises(MetaStudioError) as unknown:
        client.show_short_job("no-such-job")
    assert (unknown.value.status, unknown.value.error_code) == (400, "MSS.00000003")


def test_the_app_user_id_takes_no_chinese(emulator: Emulator) -> None:
    caller = Api(emulator.base_url, ak=AK, sk=SK, project=PROJECT)
    path = "voice-training-manage/user/short-jobs"
    body = {"job_type": "VOICE_ASSESS"}
    fine = caller.call("POST", path, body=body, headers={"X-App-UserId": "user-7"})
    assert fine.status_code == 200, fine.text
    # What goes on the wire is UTF-8; HTTP reads header bytes as Latin-1.
    chinese = "用户".encode().decode("latin-1")
    refused = caller.call("POST", path, body=body, headers={"X-App-UserId": chinese})
    assert refused.status_code == 400 and "X-App-UserId" in refused.json()["error_msg"]


def test_a_short_job_is_visible_to_its_project_only(tmp_path: Path) -> None:
    from reconciler.emulator import Credential
    from reconciler.metastudio import AkSkCredentials, RateLimits

    other = Credential(ak="OTHERAK000000000001", sk="other-secret", project_id="other-project")
    config = emulator_config(tmp_path / "emu")
    config.credentials.append(other)
    with Emulator(config) as emulator, make_client(emulator.base_url) as client:
        job_id = client.create_short_job().job_id
        stranger = MetaStudioClient.connect(
            emulator.base_url,
            AkSkCredentials(other.ak, other.sk, other.project_id),
            rate_limits=RateLimits.unlimited(),
        )
        with stranger, pytest.raises(MetaStudioError) as refused:
            stranger.show_short_job(job_id)
    assert refused.value.status == 400


def test_commit_is_never_sent_twice_when_its_answer_is_lost(
    client: MetaStudioClient, emulator: Emulator, tmp_path: Path
) -> None:
    created = client.create_short_job()
    assert created.data_uploading_url is not None
    zipped = sample_zip(tmp_path / "s.zip", speechlike.long_take_wav(3, 5.0))
    client.upload(created.data_uploading_url, zipped, "package")
    emulator.set_faults(FaultPlan.parse({"commit_short_job": {"drop_response": 1.0, "times": 1}}))
    with pytest.raises(OutcomeUnknownError):
        client.commit_short_job(created.job_id)
    assert operations(emulator)["commit_short_job"] == 1
    assert client.show_short_job(created.job_id).state == "PROCESSING"  # it did arrive


def test_show_is_retried_like_other_reads(
    client: MetaStudioClient, emulator: Emulator, tmp_path: Path
) -> None:
    job_id = client.create_short_job().job_id
    emulator.set_faults(FaultPlan.parse({"show_short_job": {"error_500": 1.0, "times": 2}}))
    assert client.show_short_job(job_id).state == "CREATING"
    assert operations(emulator)["show_short_job"] == 3


def test_create_is_not_retried_after_a_server_error(
    client: MetaStudioClient, emulator: Emulator
) -> None:
    emulator.set_faults(FaultPlan.parse({"create_short_job": {"error_500": 1.0, "times": 1}}))
    with pytest.raises(OutcomeUnknownError):
        client.create_short_job()
    assert operations(emulator)["create_short_job"] == 1


def test_waiting_gives_up_after_the_timeout(client: MetaStudioClient) -> None:
    job_id = client.create_short_job().job_id
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    with pytest.raises(ShortJobTimeout) as late:
        wait_short_job(
            client.show_short_job, job_id, timeout=7.0, poll=3.0, sleep=sleep, clock=lambda: now[0]
        )
    assert slept == [3.0, 3.0, 1.0]
    assert job_id in str(late.value) and "CREATING" in str(late.value)


def test_short_jobs_and_their_samples_outlive_a_restart(tmp_path: Path) -> None:
    config = emulator_config(tmp_path / "emu")
    zipped = sample_zip(tmp_path / "s.zip", speechlike.long_take_wav(3, 5.0))
    with Emulator(config) as emulator, make_client(emulator.base_url) as client:
        job_id = committed(client, zipped)
    with Emulator(config) as emulator, make_client(emulator.base_url) as client:
        assert client.show_short_job(job_id).state == "PROCESSING"
        emulator.advance_short_job(job_id)
        assert client.show_short_job(job_id).succeeded


def test_odd_answers_are_read_without_guessing() -> None:
    raw = {
        "job_id": "j",
        "state": "NEW_STATE",
        "assess_result": {
            "snr": {"expected": ">= 15 dB", "actual": 12, "status": True},
            "sound": "loud",
            "pitch": {"actual": "120 Hz", "status": 1},
            "suggestion": ["not", "a", "string"],
        },
    }
    job = ShortJob.from_raw(raw)
    assert (job.state, job.settled, job.succeeded) == ("NEW_STATE", False, False)
    assert job.assess_result is not None
    snr, pitch = job.assess_result.items  # "sound" is no object; "pitch" is a newer figure
    assert (snr.name, snr.expected, snr.actual, snr.status) == ("snr", ">= 15 dB", None, None)
    assert (pitch.name, pitch.out_of_range) == ("pitch", True)
    assert job.assess_result.suggestion is None
    assert ShortJob.from_raw({"job_id": "j", "assess_result": []}).assess_result is None


def test_the_analysis_runs_outside_the_emulators_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The speech models take a second or more on a sample: while one read analyses it,
    every other caller is answered (the analysis once held the lock all requests share)."""
    from reconciler.emulator import api_short_jobs

    started, release = threading.Event(), threading.Event()
    measure = api_short_jobs.assess_archive

    def slow(archive: zipfile.ZipFile, tenant: Tenant) -> object:
        started.set()
        release.wait(60)
        return measure(archive, tenant)

    monkeypatch.setattr(api_short_jobs, "assess_archive", slow)
    config = emulator_config(tmp_path / "emu", seconds_per_state=0.0)
    zipped = sample_zip(tmp_path / "s.zip", speechlike.long_take_wav(3, 5.0))
    with Emulator(config) as emulator, make_client(emulator.base_url) as client:
        job_id = committed(client, zipped)
        seen: list[ShortJob] = []
        reader = threading.Thread(target=lambda: seen.append(client.show_short_job(job_id)))
        reader.start()
        try:
            assert started.wait(30)
            # Answered while the analysis is held (one try each, no retry: held under the
            # lock, these would wait for the analysis, which waits for this test).
            caller = Api(emulator.base_url, ak=AK, sk=SK, project=PROJECT)
            for path in ("voice-training-manage/user/jobs", f"{_SHORT}/{job_id}"):
                answer = caller.call("GET", path, timeout=10)
                assert answer.status_code == 200, answer.text
            assert answer.json()["state"] == "PROCESSING"  # its analysis is not recorded yet
        finally:
            release.set()
            reader.join(30)
        assert len(seen) == 1 and seen[0].succeeded and seen[0].assess_result is not None
        assert client.show_short_job(job_id).succeeded
