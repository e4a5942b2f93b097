"""The official Huawei Cloud SDK (huaweicloudsdkmetastudio) against the emulator.

The project's client and the emulator were both written from the SDK's source; this drives
the real SDK, with its own request classes, AK/SK signing (the emulator verifies it) and
response models, over loopback HTTP, so a path, field, status or error shape that only the
two of them agree on shows up here. Every answer must also carry no field the SDK's model
lacks (``unknown_fields``), and the SDK must contact nothing but the emulator.
"""

from __future__ import annotations

import json
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException
from huaweicloudsdkmetastudio.v1 import (
    CheckVoiceAssetRequest,
    CommitJobReq,
    CommitShortJobRequest,
    CommitVoiceTrainingJobRequest,
    ConfirmTrainingSegmentRequest,
    CreateShortJobReq,
    CreateShortJobRequest,
    CreateTrainingAdvanceJobRequest,
    CreateTrainingBasicJobRequest,
    CreateTrainingJobReq,
    CreateTtsAuditionRequest,
    CreateTtsAuditionRequestBody,
    DeleteAssetRequest,
    DeleteVoiceTrainingJobRequest,
    ListAssetsRequest,
    ListJobOperationLogRequest,
    ListVoiceTrainingJobRequest,
    MetaStudioClient,
    RestoreAssetRequest,
    ShowAssetRequest,
    ShowJobAuditResultRequest,
    ShowJobUploadingAddressRequest,
    ShowShortJobRequest,
    ShowTenantDurationCfgRequest,
    ShowTrainingSegmentInfoRequest,
    ShowTtsAuditionFileRequest,
    ShowUserReviewAttachmentUploadingAddressRequest,
    ShowVoiceTrainingJobRequest,
    ShowVoiceTrainingQuotasRequest,
    UpdateDigitalAssetRequest,
    UpdateDigitalAssetRequestBody,
)

from reconciler import speechlike
from reconciler.emulator import Emulator, Tenant
from reconciler.emulator.tenant import EDITIONS
from tests.metastudio.conftest import AK, PROJECT, SK, emulator_config
from tests.metastudio.helpers import advance_until, long_recording_zip
from tests.sdk.support import Connections, recording_connections, unknown_fields

# A model the SDK cannot fit a value into (an unknown enum value, a wrong type) only warns.
pytestmark = pytest.mark.filterwarnings("error::huaweicloudsdkcore.warning.warning.SdkWarning")

TENANT = {
    # Zero minimums let a one-second recording train; the rest are figures the test looks for.
    "durations": {
        **{f"{edition}_min": 0 for edition in EDITIONS},
        "basic_max": 700,
        "cmww_advice_value": 320,
    },
    "quotas": {"basic": 2, "advance": 1, "third_party_cmww": 0},
}
DAY = 24 * 3600.0
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture
def emulator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    # requests (under the SDK) honours proxy variables; loopback must be reached directly.
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    tenant_file = tmp_path / "tenant.json"
    tenant_file.write_text(json.dumps(TENANT), encoding="utf-8")
    config = emulator_config(tmp_path / "emulator", tenant=Tenant.load(tenant_file))
    with Emulator(config, host="127.0.0.1", port=0) as emu:
        yield emu


@pytest.fixture
def connections(emulator: Emulator) -> Iterator[Connections]:
    with recording_connections() as seen:
        yield seen
    assert seen.connects, "the SDK reached nothing: the recording is not working"
    port = urlsplit(emulator.base_url).port
    assert set(seen.connects) == {("127.0.0.1", port)}, seen.connects
    assert seen.hosts() == {"127.0.0.1"}, seen.lookups


def sdk_client(emulator: Emulator, sk: str = SK) -> Any:
    # With the project id given and no region, the SDK asks IAM for nothing; an endpoint with
    # its scheme is used as it is, so plain http to loopback needs no further setting.
    credentials = BasicCredentials(AK, sk, PROJECT)
    builder = MetaStudioClient.new_builder().with_credentials(credentials)
    return builder.with_endpoints([emulator.base_url]).build()


@pytest.fixture
def sdk(emulator: Emulator, connections: Connections) -> Iterator[Any]:
    client = sdk_client(emulator)
    yield client
    client.close()


def known(response: Any) -> Any:
    """The response, once its raw body is shown to hold only fields the SDK knows."""
    assert response.status_code == 200
    assert unknown_fields(response) == []
    return response


def operations(emulator: Emulator) -> Counter[str]:
    return Counter(emulator.stats()["operations"])


def seeded_asset(emulator: Emulator, name: str = "seeded") -> str:
    job_id = emulator.seed_jobs(
        [{"voice_name": name, "state": "SUCCEED", "project_id": PROJECT, "sex": "MALE"}]
    )[0]
    asset_id = emulator.jobs()[0]["asset_id"]
    assert job_id and asset_id
    return str(asset_id)


def refusal(call: Any, request: Any) -> ClientRequestException:
    with pytest.raises(ClientRequestException) as refused:
        call(request)
    assert refused.value.request_id  # the SDK read the error body's shape
    return refused.value


def put(url: str, data: bytes, content_type: str) -> None:
    response = requests.put(url, data=data, headers={"Content-Type": content_type}, timeout=10)
    assert response.status_code == 200, response.text


def test_quotas_are_the_tenant_files_figures(sdk: Any, emulator: Emulator) -> None:
    quotas = known(sdk.show_voice_training_quotas(ShowVoiceTrainingQuotasRequest()))
    available = quotas.resource_available_nums
    assert (available.basic, available.advance, available.third_party_cmww) == (2, 1, 0)
    assert available.middle == 1000  # not in the file: the emulator's plenty
    basic = [r for r in quotas.resources if r.resource_id.endswith("-basic")]
    assert [(r.resource_type, r.resource_nums, r.resource_available_nums) for r in basic] == [
        ("BASIC", 2, 2)
    ]
    assert quotas.count == len(quotas.resources)
    assert operations(emulator) == {"show_voice_training_quotas": 1}


def test_tenant_duration_cfg_is_the_tenant_files_figures(sdk: Any, emulator: Emulator) -> None:
    durations = known(sdk.show_tenant_duration_cfg(ShowTenantDurationCfgRequest()))
    assert durations.tenant_id == PROJECT
    assert (durations.basic_min, durations.basic_max, durations.basic_advice_value) == (0, 700, 300)
    assert (durations.cmww_min, durations.cmww_advice_value) == (0, 320)
    assert (durations.middle_max, durations.ljzn_max) == (1800, 900)  # defaults
    assert (durations.short_assess_min, durations.short_assess_max) == (10, 60)
    assert operations(emulator) == {"show_tenant_duration_cfg": 1}


def test_a_job_trained_through_the_sdk_gives_a_usable_voice_asset(
    sdk: Any, emulator: Emulator, tmp_path: Path
) -> None:
    body = CreateTrainingJobReq(
        voice_name="gentle", sex="FEMALE", language="CN", create_type="PACKAGE"
    )
    created = known(sdk.create_training_advance_job(CreateTrainingAdvanceJobRequest(body=body)))
    job_id = created.job_id
    addresses = known(sdk.show_job_uploading_address(ShowJobUploadingAddressRequest(job_id=job_id)))
    url = addresses.package_url.training_data_uploading_url
    assert url == created.training_data_uploading_url
    # The upload is a presigned PUT to OBS, which the SDK leaves to its caller.
    data = long_recording_zip(tmp_path / "data.zip").read_bytes()
    put(url, data, "application/zip")
    commit = CommitVoiceTrainingJobRequest(job_id=job_id, body=CommitJobReq())
    known(sdk.commit_voice_training_job(commit))
    quotas = known(sdk.show_voice_training_quotas(ShowVoiceTrainingQuotasRequest()))
    assert quotas.resource_available_nums.advance == 0  # the submit took the one bought
    advance_until(emulator.base_url, job_id, "SUCCEED")

    job = known(sdk.show_voice_training_job(ShowVoiceTrainingJobRequest(job_id=job_id)))
    assert (job.job_id, job.job_type, job.state, job.voice_name) == (
        job_id,
        "ADVANCE",
        "SUCCEED",
        "gentle",
    )
    assert job.asset_id
    listed = known(sdk.list_voice_training_job(ListVoiceTrainingJobRequest(state="SUCCEED")))
    assert [(j.job_id, j.asset_id) for j in listed.jobs] == [(job_id, job.asset_id)]
    assert listed.count == 1

    asset = known(sdk.check_voice_asset(CheckVoiceAssetRequest(voice_asset_id=job.asset_id)))
    assert (asset.asset_id, asset.asset_name) == (job.asset_id, "gentle")
    assert (asset.asset_type, asset.asset_state) == ("VOICE_MODEL", "ACTIVED")
    assert asset.asset_extra_meta.voice_model_meta.sex == "FEMALE"
    assert asset.files == []
    assert operations(emulator) == {
        "create_advance_job": 1,
        "show_uploading_address": 1,
        "object_put": 1,
        "commit_job": 1,
        "show_voice_training_quotas": 1,
        "show_job": 1,
        "list_jobs": 1,
        "check_voice_asset": 1,
    }


def test_deleted_asset_goes_to_the_recycle_bin_until_forced(sdk: Any, emulator: Emulator) -> None:
    asset_id = seeded_asset(emulator)
    listed = known(sdk.list_assets(ListAssetsRequest(asset_type="VOICE_MODEL")))
    assert [(a.asset_id, a.asset_state) for a in listed.assets] == [(asset_id, "ACTIVED")]
    assert listed.assets[0].asset_extra_meta.voice_model_meta.sex == "MALE"

    deleted = known(sdk.delete_asset(DeleteAssetRequest(asset_id=asset_id)))
    assert deleted.x_request_id  # a header the SDK's model reads
    assert known(sdk.list_assets(ListAssetsRequest())).count == 0
    binned = known(sdk.list_assets(ListAssetsRequest(asset_state="DELETED")))
    assert [(a.asset_id, a.asset_state) for a in binned.assets] == [(asset_id, "DELETED")]
    gone = refusal(sdk.check_voice_asset, CheckVoiceAssetRequest(voice_asset_id=asset_id))
    assert (gone.status_code, gone.error_code) == (400, "MSS.10001001")
    again = refusal(sdk.delete_asset, DeleteAssetRequest(asset_id=asset_id))
    assert (again.status_code, again.error_code) == (400, "MSS.10001001")

    known(sdk.delete_asset(DeleteAssetRequest(asset_id=asset_id, mode="force")))
    assert known(sdk.list_assets(ListAssetsRequest(asset_state="DELETED"))).count == 0
    assert operations(emulator) == {"list_assets": 4, "delete_asset": 3, "check_voice_asset": 1}


def test_restore_brings_a_binned_asset_back_as_it_was(sdk: Any, emulator: Emulator) -> None:
    asset_id = seeded_asset(emulator)
    live = refusal(sdk.restore_asset, RestoreAssetRequest(asset_id=asset_id))
    assert (live.status_code, live.error_code) == (400, "MSS.00000003")
    unknown = refusal(sdk.restore_asset, RestoreAssetRequest(asset_id="no-such-asset"))
    assert (unknown.status_code, unknown.error_code) == (400, "MSS.10001001")

    known(sdk.delete_asset(DeleteAssetRequest(asset_id=asset_id)))
    emulator.advance_clock(6 * DAY)  # still in the bin
    restored = known(sdk.restore_asset(RestoreAssetRequest(asset_id=asset_id)))
    assert restored.x_request_id
    shown = known(sdk.show_asset(ShowAssetRequest(asset_id=asset_id)))
    assert shown.asset_state == "ACTIVED"
    listed = known(sdk.list_assets(ListAssetsRequest()))
    assert [a.asset_id for a in listed.assets] == [asset_id]
    assert known(sdk.list_assets(ListAssetsRequest(asset_state="DELETED"))).count == 0
    known(sdk.check_voice_asset(CheckVoiceAssetRequest(voice_asset_id=asset_id)))
    assert operations(emulator)["restore_asset"] == 3


def test_restore_is_refused_while_another_live_asset_holds_the_name(
    sdk: Any, emulator: Emulator
) -> None:
    first = seeded_asset(emulator, "Anchor")
    known(sdk.delete_asset(DeleteAssetRequest(asset_id=first)))
    emulator.seed_jobs([{"voice_name": "Anchor", "state": "SUCCEED", "project_id": PROJECT}])
    clash = refusal(sdk.restore_asset, RestoreAssetRequest(asset_id=first))
    assert (clash.status_code, clash.error_code) == (400, "MSS.10001005")
    binned = known(sdk.list_assets(ListAssetsRequest(asset_state="DELETED")))
    assert [a.asset_id for a in binned.assets] == [first]


def test_the_recycle_bin_purges_after_seven_days(sdk: Any, emulator: Emulator) -> None:
    asset_id = seeded_asset(emulator)
    known(sdk.delete_asset(DeleteAssetRequest(asset_id=asset_id)))
    emulator.advance_clock(7 * DAY - 60)
    binned = known(sdk.list_assets(ListAssetsRequest(asset_state="DELETED")))
    assert [a.asset_id for a in binned.assets] == [asset_id]
    emulator.advance_clock(120)  # the window has passed
    assert known(sdk.list_assets(ListAssetsRequest(asset_state="DELETED"))).count == 0
    shown = refusal(sdk.show_asset, ShowAssetRequest(asset_id=asset_id))
    assert shown.status_code == 400
    purged = refusal(sdk.restore_asset, RestoreAssetRequest(asset_id=asset_id))
    assert (purged.status_code, purged.error_code) == (400, "MSS.10001001")


def test_forced_delete_removes_a_live_asset_outright(sdk: Any, emulator: Emulator) -> None:
    asset_id = seeded_asset(emulator)
    bad = refusal(sdk.delete_asset, DeleteAssetRequest(asset_id=asset_id, mode="hard"))
    assert (bad.status_code, bad.error_code) == (400, "MSS.00000003")
    assert "mode" in bad.error_msg
    known(sdk.delete_asset(DeleteAssetRequest(asset_id=asset_id, mode="force")))
    every = ListAssetsRequest(asset_state="ACTIVED,DELETED")
    assert known(sdk.list_assets(every)).count == 0
    gone = refusal(sdk.check_voice_asset, CheckVoiceAssetRequest(voice_asset_id=asset_id))
    assert (gone.status_code, gone.error_code) == (400, "MSS.10001001")


def test_an_asset_is_updated_in_place_and_only_in_the_fields_sent(
    sdk: Any, emulator: Emulator
) -> None:
    asset_id = seeded_asset(emulator, "gentle")
    other = seeded_asset_named(emulator, "bright")
    body = UpdateDigitalAssetRequestBody(asset_description="a brighter voice", tags=["NEWS"])
    request = UpdateDigitalAssetRequest(asset_id=asset_id, body=body)
    updated = known(sdk.update_digital_asset(request))
    assert (updated.asset_id, updated.asset_name) == (asset_id, "gentle")
    assert (updated.asset_description, updated.tags) == ("a brighter voice", ["NEWS"])
    renamed = UpdateDigitalAssetRequestBody(asset_name="soft")
    known(sdk.update_digital_asset(UpdateDigitalAssetRequest(asset_id=asset_id, body=renamed)))
    shown = known(sdk.show_asset(ShowAssetRequest(asset_id=asset_id)))
    assert (shown.asset_name, shown.asset_description) == ("soft", "a brighter voice")

    taken = UpdateDigitalAssetRequestBody(asset_name="bright")
    request = UpdateDigitalAssetRequest(asset_id=asset_id, body=taken)
    clash = refusal(sdk.update_digital_asset, request)
    assert (clash.status_code, clash.error_code) == (400, "MSS.10001005")
    known(sdk.delete_asset(DeleteAssetRequest(asset_id=other)))
    binned = UpdateDigitalAssetRequest(asset_id=other, body=renamed)
    gone = refusal(sdk.update_digital_asset, binned)
    assert (gone.status_code, gone.error_code) == (400, "MSS.10001001")
    assert operations(emulator) == {"update_asset": 4, "show_asset": 1, "delete_asset": 1}


def seeded_asset_named(emulator: Emulator, name: str) -> str:
    """Another trained voice's asset, beside those seeded before."""
    emulator.seed_jobs([{"voice_name": name, "state": "SUCCEED", "project_id": PROJECT}])
    return next(str(j["asset_id"]) for j in emulator.jobs() if j["voice_name"] == name)


def test_the_segment_job_operations_the_project_uses(sdk: Any, emulator: Emulator) -> None:
    body = CreateTrainingJobReq(
        voice_name="lines", sex="MALE", language="CN", create_type="SEGMENT"
    )
    created = known(sdk.create_training_basic_job(CreateTrainingBasicJobRequest(body=body)))
    job_id, urls = created.job_id, created.segment_uploading_url
    assert len(urls.audio_uploading_url) == len(urls.txt_uploading_url) > 1
    put(urls.audio_uploading_url[0], speechlike.sentence_wav(0.3), "audio/wav")
    put(urls.txt_uploading_url[0], speechlike.transcript(0).encode(), "text/plain")
    confirm = ConfirmTrainingSegmentRequest(job_id=job_id, index=0)
    confirmed = known(sdk.confirm_training_segment(confirm))
    assert (confirmed.confirm_result, confirmed.unmatched_index_hit) == (True, [])
    info = ShowTrainingSegmentInfoRequest(job_id=job_id)
    assert known(sdk.show_training_segment_info(info)).confirmed_index == [0]

    logs = known(sdk.list_job_operation_log(ListJobOperationLogRequest(job_id=job_id)))
    assert [(o.action, o.operator) for o in logs.operations] == [("CREATE_JOB", "USER")]
    known(sdk.show_job_audit_result(ShowJobAuditResultRequest(job_id=job_id)))
    review = ShowUserReviewAttachmentUploadingAddressRequest(
        job_id=job_id, start_number=1, end_number=2
    )
    addresses = known(sdk.show_user_review_attachment_uploading_address(review)).addresses
    assert [a.number for a in addresses] == [1, 2]
    assert all(a.uploading_url.startswith(emulator.base_url) for a in addresses)

    known(sdk.delete_voice_training_job(DeleteVoiceTrainingJobRequest(job_id=job_id)))
    gone = refusal(sdk.show_voice_training_job, ShowVoiceTrainingJobRequest(job_id=job_id))
    assert (gone.status_code, gone.error_code) == (400, "MSS.00000003")


def test_a_tts_audition_of_a_trained_voice(sdk: Any, emulator: Emulator) -> None:
    asset_id = seeded_asset(emulator, "spoken")
    shown = known(sdk.show_asset(ShowAssetRequest(asset_id=asset_id)))
    assert (shown.asset_id, shown.asset_name, shown.asset_state) == (asset_id, "spoken", "ACTIVED")
    text = CreateTtsAuditionRequestBody(text="今天天气很好。", emotion=asset_id)
    audition = known(sdk.create_tts_audition(CreateTtsAuditionRequest(body=text)))
    file = known(sdk.show_tts_audition_file(ShowTtsAuditionFileRequest(job_id=audition.job_id)))
    assert file.is_file_complete is True
    [download] = file.files
    wav = requests.get(download.download_url, timeout=10)
    assert wav.status_code == 200 and wav.content[:4] == b"RIFF"


def test_a_wrong_secret_key_is_refused(emulator: Emulator, connections: Connections) -> None:
    # The signatures the other tests send are really checked: a wrong SK signs differently.
    client = sdk_client(emulator, sk="not-the-secret-key")
    try:
        refused = refusal(client.show_voice_training_quotas, ShowVoiceTrainingQuotasRequest())
    finally:
        client.close()
    assert (refused.status_code, refused.error_code) == (401, "APIGW.0301")
    assert SK not in str(refused)


def test_a_short_assessment_job_through_the_sdk(
    sdk: Any, emulator: Emulator, tmp_path: Path
) -> None:
    body = CreateShortJobReq(job_type="VOICE_ASSESS", language="CN")
    request = CreateShortJobRequest(x_app_user_id="tenant-user-1", body=body)
    created = known(sdk.create_short_job(request))
    job_id = created.job_id
    # The sample is a presigned PUT of a zip, as the training data is.
    with zipfile.ZipFile(tmp_path / "sample.zip", "w") as archive:
        archive.writestr("0.wav", speechlike.long_take_wav(3, 5.0))
    put(created.data_uploading_url, (tmp_path / "sample.zip").read_bytes(), "application/zip")
    known(sdk.commit_short_job(CommitShortJobRequest(job_id=job_id)))
    running = known(sdk.show_short_job(ShowShortJobRequest(job_id=job_id)))
    assert (running.job_id, running.job_type, running.state) == (
        job_id,
        "VOICE_ASSESS",
        "PROCESSING",
    )
    assert running.assess_result is None
    emulator.advance_short_job(job_id)

    done = known(sdk.show_short_job(ShowShortJobRequest(job_id=job_id)))
    assert done.state == "SUCCEED"
    assert isinstance(done.create_time, int) and isinstance(done.lastupdate_time, int)
    assess = done.assess_result
    assert (assess.snr.status, assess.sound.status) == (0, 0)
    assert assess.snr.expected == ">= 15 dB" and assess.snr.actual.endswith(" dB")
    assert assess.sound.actual.endswith(" dBFS")
    again = refusal(sdk.commit_short_job, CommitShortJobRequest(job_id=job_id))
    assert (again.status_code, again.error_code) == (400, "MSS.00000003")
    assert operations(emulator) == {
        "create_short_job": 1,
        "object_put": 1,
        "commit_short_job": 2,
        "show_short_job": 2,
    }
    assert emulator.jobs() == []  # nothing to train, no resource taken
