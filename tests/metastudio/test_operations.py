"""Every client operation against the emulator over real loopback HTTP."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from reconciler import speechlike
from reconciler.emulator import Emulator
from reconciler.metastudio import JobState, MetaStudioClient, MetaStudioError, TokenCredentials
from tests.metastudio.conftest import PROJECT, TOKEN
from tests.metastudio.helpers import (
    admin,
    advance_until,
    is_wav,
    long_recording_zip,
    sentence_files,
    sentence_zip,
    stats,
    trained_asset,
)

BODY = {"voice_name": "gentle", "sex": "FEMALE", "language": "CN", "tag": "NEWS"}


@pytest.mark.parametrize(
    ("job_type", "make_zip"),
    [
        ("BASIC", lambda p: sentence_zip(p, 20)),
        ("MIDDLE", lambda p: long_recording_zip(p)),
        ("ADVANCE", lambda p: long_recording_zip(p)),
        ("THIRD_PARTY", lambda p: long_recording_zip(p)),
    ],
)
def test_package_job_to_trained_asset(
    client: MetaStudioClient, emulator: Emulator, tmp_path: Path, job_type: str, make_zip: object
) -> None:
    created = client.create_job(job_type, {**BODY, "create_type": "PACKAGE"})
    assert created.job_id and created.uploads.package is not None
    package = make_zip(tmp_path / "data.zip")  # type: ignore[operator]
    etag = client.upload(created.uploads.package, package, "package")
    assert len(etag) == 32
    letter = tmp_path / "letter.pdf"
    letter.write_bytes(speechlike.one_page_pdf("signed"))
    assert created.uploads.authorization_letter is not None
    client.upload(created.uploads.authorization_letter, letter, "letter")

    job = client.show_job(created.job_id)
    assert (job.state, job.job_type, job.voice_name) == (JobState.CREATING, job_type, "gentle")
    client.submit_job(created.job_id, {"description": "amended at submit"})
    assert client.show_job(created.job_id).state == JobState.SYSTEM_AUDITING
    advance_until(emulator.base_url, created.job_id, JobState.SUCCEED)

    trained = client.show_job(created.job_id)
    assert trained.terminal and trained.asset_id
    asset = client.show_asset(trained.asset_id)
    assert (asset.asset_type, asset.asset_name) == ("VOICE_MODEL", "gentle")
    assert trained.asset_id in [a.asset_id for a in client.list_assets().assets]
    actions = [op.action for op in client.list_op_logs(created.job_id).operations]
    assert "CREATE_JOB" in actions and "COMPLETE_JOB" in actions


def test_fresh_upload_urls_have_the_other_shape_but_same_meaning(
    client: MetaStudioClient, tmp_path: Path
) -> None:
    created = client.create_job("BASIC", {**BODY, "create_type": "SEGMENT"})
    fresh = client.get_upload_urls(created.job_id)
    assert len(fresh.audio) == len(fresh.text) == 20 == len(created.uploads.audio)
    assert fresh.package is not None and fresh.authorization_letter is not None
    folder = sentence_files(tmp_path / "s", 1)
    client.upload(fresh.audio[0], folder / "0.wav", "audio")
    client.upload(fresh.text[0], folder / "0.txt", "text")
    assert client.confirm_segment(created.job_id, 0).confirm_result


def test_segment_mode_confirms_each_sentence(
    client: MetaStudioClient, emulator: Emulator, tmp_path: Path
) -> None:
    created = client.create_job("BASIC", {**BODY, "create_type": "SEGMENT"})
    folder = sentence_files(tmp_path / "s", 20)
    for index, (audio, text) in enumerate(
        zip(created.uploads.audio, created.uploads.text, strict=True)
    ):
        client.upload(audio, folder / f"{index}.wav", "audio")
        client.upload(text, folder / f"{index}.txt", "text")
        confirmation = client.confirm_segment(created.job_id, index)
        assert confirmation.confirm_result, confirmation
    assert client.get_confirmed_segments(created.job_id) == list(range(20))
    client.submit_job(created.job_id)
    advance_until(emulator.base_url, created.job_id, JobState.SUCCEED)


def test_confirm_without_upload_is_not_confirmed(client: MetaStudioClient) -> None:
    created = client.create_job("BASIC", {**BODY, "create_type": "SEGMENT"})
    try:
        result = client.confirm_segment(created.job_id, 3)
    except MetaStudioError as error:  # refusing outright is as good as a false result
        assert error.status == 400
    else:
        assert not result.confirm_result
    assert 3 not in client.get_confirmed_segments(created.job_id)


def test_audit_failure_names_the_bad_file_then_resubmit(
    client: MetaStudioClient, emulator: Emulator, tmp_path: Path
) -> None:
    created = client.create_job("BASIC", {**BODY, "create_type": "PACKAGE"})
    assert created.uploads.package is not None
    too_long = speechlike.sentence_wav(16.0)  # a sentence over the 15 s limit
    bad = sentence_zip(tmp_path / "bad.zip", 20, overrides={7: too_long})
    client.upload(created.uploads.package, bad, "package")
    client.submit_job(created.job_id)
    advance_until(emulator.base_url, created.job_id, JobState.AUDIT_FAILED)
    audit = client.get_audit_result(created.job_id)
    assert any("7.wav" in (e.audio_name or "") for e in audit.system_errors), audit
    assert client.show_job(created.job_id).state == JobState.AUDIT_FAILED

    fresh = client.get_upload_urls(created.job_id)
    assert fresh.package is not None
    client.upload(fresh.package, sentence_zip(tmp_path / "good.zip", 20), "package")
    client.submit_job(created.job_id)
    advance_until(emulator.base_url, created.job_id, JobState.SUCCEED)


def test_submit_in_wrong_state_and_unknown_job_are_clear_errors(
    client: MetaStudioClient, emulator: Emulator, tmp_path: Path
) -> None:
    created = client.create_job("ADVANCE", {**BODY, "create_type": "PACKAGE"})
    with pytest.raises(MetaStudioError) as no_data:
        client.submit_job(created.job_id)
    assert no_data.value.status == 400
    assert created.uploads.package is not None
    client.upload(created.uploads.package, long_recording_zip(tmp_path / "d.zip"), "package")
    client.submit_job(created.job_id)
    with pytest.raises(MetaStudioError) as twice:
        client.submit_job(created.job_id)
    assert twice.value.status == 400 and twice.value.error_code
    client.delete_job(created.job_id)
    with pytest.raises(MetaStudioError) as gone:
        client.show_job(created.job_id)
    assert gone.value.status == 400 and "show_job" in str(gone.value)


def test_a_400_means_gone_only_when_the_filtered_listing_is_empty(
    client: MetaStudioClient,
) -> None:
    created = client.create_job("BASIC", {**BODY, "create_type": "PACKAGE"})
    with pytest.raises(MetaStudioError) as no_data:
        client.submit_job(created.job_id)  # a 400 about a job that exists
    assert no_data.value.status == 400
    assert not client.job_is_gone(created.job_id, no_data.value)
    assert client.find_job(created.job_id) is not None
    client.delete_job(created.job_id)
    with pytest.raises(MetaStudioError) as gone:
        client.show_job(created.job_id)
    assert client.job_is_gone(created.job_id, gone.value)
    assert client.find_job(created.job_id) is None
    server_fault = MetaStudioError("show_job", status=500)
    assert not client.job_is_gone(created.job_id, server_fault)  # only a 400 can mean gone


def test_validation_error_is_surfaced_with_code(client: MetaStudioClient) -> None:
    with pytest.raises(MetaStudioError) as error:
        client.create_job("BASIC", {"voice_name": "x", "sex": "ROBOT"})
    assert error.value.status == 400 and error.value.error_code == "MSS.00000003"
    with pytest.raises(ValueError):
        client.create_job("FLEXUS", BODY)


def test_list_filters_and_concurrent_paging(client: MetaStudioClient, emulator: Emulator) -> None:
    now = int(time.time())
    jobs = [
        {"job_id": f"seed-{i:04d}", "job_type": "BASIC", "voice_name": f"v{i % 7}",
         "state": "SUCCEED" if i % 2 else "CREATING", "create_time": now - 1000 + i,
         "lastupdate_time": now}
        for i in range(250)
    ]  # fmt: skip
    admin(emulator.base_url, "POST", "/jobs", jobs)
    admin(emulator.base_url, "DELETE", "/stats")

    every = list(client.iter_jobs())
    assert len(every) == 250 and len({j.job_id for j in every}) == 250
    assert stats(emulator.base_url)["list_jobs"] == 3  # ceil(250/100) pages
    assert [j.job_id for j in every] == sorted(j["job_id"] for j in jobs)  # oldest first

    named = list(client.iter_jobs(voice_name="v3"))
    assert {j.voice_name for j in named} == {"v3"} and len(named) == len(range(3, 250, 7))
    done = client.list_jobs(state=["SUCCEED"], limit=10)
    assert done.count == 125 and len(done.jobs) == 10
    assert all(j.state == "SUCCEED" for j in done.jobs)


def test_token_auth(emulator: Emulator) -> None:
    with MetaStudioClient.connect(emulator.base_url, TokenCredentials(TOKEN, PROJECT)) as client:
        created = client.create_job("BASIC", BODY)
        assert client.show_job(created.job_id).voice_name == "gentle"
    with MetaStudioClient.connect(emulator.base_url, TokenCredentials("wrong", PROJECT)) as bad:
        with pytest.raises(MetaStudioError) as error:
            bad.list_jobs()
    assert error.value.status == 401 and "wrong" not in str(error.value)


def test_tts_audition_downloads_a_real_wav(
    client: MetaStudioClient, emulator: Emulator, tmp_path: Path
) -> None:
    asset_id = trained_asset(client, emulator.base_url, tmp_path)
    tts_job = client.create_tts_audition({"text": "Hello there.", "emotion": asset_id})
    audition = client.get_tts_audition_file(tts_job)
    assert audition.is_file_complete and audition.download_urls
    size = client.download(audition.download_urls[0], tmp_path / "out" / "0.wav")
    blob = (tmp_path / "out" / "0.wav").read_bytes()
    assert size == len(blob) and is_wav(blob)
    with pytest.raises(MetaStudioError):
        client.create_tts_audition({"text": "x", "emotion": "no-such-asset"})


def test_review_attachment_addresses(client: MetaStudioClient, tmp_path: Path) -> None:
    created = client.create_job("BASIC", BODY)
    addresses = client.get_review_attachment_urls(created.job_id, 1, 3)
    assert [a.number for a in addresses] == [1, 2, 3]
    attachment = tmp_path / "a.png"
    attachment.write_bytes(b"\x89PNG")
    assert addresses[0].uploading_url is not None
    client.upload(addresses[0].uploading_url, attachment, "attachment")
