"""Every operation answers with the field names and shapes of the API document."""

from __future__ import annotations

import re
import uuid

import pytest

from reconciler.emulator import Emulator
from tests.emulator.helpers import USER, Api, put, sentence_zip

EDITIONS = {"basic": 20, "middle": 100, "advance": 0, "third-party": 0}
JOB_TYPES = {
    "basic": "BASIC",
    "middle": "MIDDLE",
    "advance": "ADVANCE",
    "third-party": "THIRD_PARTY",
}


@pytest.mark.parametrize("edition", sorted(EDITIONS))
def test_create_returns_job_id_and_fresh_upload_urls(api: Api, edition: str) -> None:
    created = api.create(edition)
    assert set(created) == {
        "job_id",
        "training_data_uploading_url",
        "segment_uploading_url",
        "authorization_letter_uploading_url",
    }
    segments = created["segment_uploading_url"]
    assert set(segments) == {"audio_uploading_url", "txt_uploading_url"}
    assert len(segments["audio_uploading_url"]) == EDITIONS[edition]
    assert len(segments["txt_uploading_url"]) == EDITIONS[edition]
    url = created["training_data_uploading_url"]
    assert url.startswith(f"{api.base_url}/_obs/{created['job_id']}/package/data.zip?")
    assert re.search(r"AccessKeyId=emulator&Expires=\d+&Signature=[A-Za-z0-9_-]+$", url)
    job = api.show(created["job_id"])
    assert job["job_type"] == JOB_TYPES[edition]
    assert job["state"] == "CREATING"


def test_uploading_address_has_its_own_shape(api: Api) -> None:
    job_id = api.create("basic")["job_id"]
    urls = api.ok("GET", f"{USER}/jobs/{job_id}/uploading-address-url")
    assert set(urls) == {"segment_url", "package_url", "authorization_letter_uploading_url"}
    assert set(urls["package_url"]) == {"training_data_uploading_url"}
    assert len(urls["segment_url"]["audio_uploading_url"]) == 20
    assert len(urls["segment_url"]["txt_uploading_url"]) == 20
    advance = api.create("advance")["job_id"]
    urls = api.ok("GET", f"{USER}/jobs/{advance}/uploading-address-url")
    assert urls["segment_url"] == {"audio_uploading_url": [], "txt_uploading_url": []}


def test_show_job_fields(api: Api) -> None:
    job_id = api.create(
        "basic", tag="NEWS", phone="13800000000", batch_name="b1", output_language="CN"
    )["job_id"]
    job = api.show(job_id)
    for name in ("job_id", "job_type", "voice_name", "sex", "language", "state", "tag", "phone"):
        assert name in job
    assert job["reject_times"] == 0
    assert job["create_type"] == "PACKAGE"
    assert job["batch_name"] == "b1"
    assert isinstance(job["create_time"], int) and isinstance(job["lastupdate_time"], int)
    assert job["is_ondemand_resource"] is False
    assert "asset_id" not in job and "job_failed_code" not in job


def test_app_user_id_header_is_echoed(api: Api) -> None:
    job_id = api.create("basic", **{})["job_id"]
    assert "app_user_id" not in api.show(job_id)
    body = {"voice_name": "with-user"}
    created = api.ok("POST", f"{USER}/basic-jobs", body=body, headers={"X-App-UserId": "u-1"})
    assert api.show(created["job_id"])["app_user_id"] == "u-1"


def test_app_user_id_takes_no_chinese_on_the_operations_that_carry_it(api: Api) -> None:
    job_id = api.create("basic")["job_id"]
    # What goes on the wire is UTF-8; HTTP reads header bytes as Latin-1.
    chinese = {"X-App-UserId": "用户".encode().decode("latin-1")}
    carrying = [
        ("POST", f"{USER}/basic-jobs", {"voice_name": "v"}),
        ("POST", f"{USER}/middle-jobs", {"voice_name": "v"}),
        ("GET", f"{USER}/jobs", None),
        ("GET", f"{USER}/jobs/{job_id}", None),
        ("POST", f"{USER}/jobs/{job_id}", None),
        ("DELETE", f"{USER}/jobs/{job_id}", None),
    ]
    for method, path, body in carrying:
        refused = api.call(method, path, body=body, headers=chinese)
        assert refused.status_code == 400, (method, path, refused.text)
        assert "X-App-UserId" in refused.json()["error_msg"], (method, path)
    assert api.show(job_id)["state"] == "CREATING"  # neither submitted nor deleted
    assert api.ok("GET", f"{USER}/jobs", headers={"X-App-UserId": "user-7"})["count"] >= 1
    # Operations the SDK sends without the header do not judge it.
    logs = api.call("GET", f"{USER}/jobs/{job_id}/op-logs", headers=chinese)
    assert logs.status_code == 200, logs.text


def test_op_logs_and_audit_result_before_submit(api: Api) -> None:
    job_id = api.create("basic")["job_id"]
    logs = api.ok("GET", f"{USER}/jobs/{job_id}/op-logs")
    assert logs["count"] == 1
    entry = logs["operations"][0]
    assert set(entry) == {"time", "action", "operator", "external_info"}
    assert entry["action"] == "CREATE_JOB" and isinstance(entry["time"], int)
    assert api.ok("GET", f"{USER}/jobs/{job_id}/audit-result") == {}


def test_review_attachment_addresses(api: Api) -> None:
    job_id = api.create("basic")["job_id"]
    path = f"{USER}/jobs/{job_id}/review-attachment-uploading-address-url"
    result = api.ok("GET", path, query=[("start_number", "1"), ("end_number", "3")])
    assert [a["number"] for a in result["addresses"]] == [1, 2, 3]
    response = put(result["addresses"][0]["uploading_url"], b"%PDF-1.4", "application/pdf")
    assert response.status_code == 200
    assert api.call("GET", path, query=[("start_number", "3")]).status_code == 400


def test_confirm_segment_uses_query_parameters(api: Api) -> None:
    created = api.create("basic", create_type="SEGMENT")
    job_id = created["job_id"]
    segments = created["segment_uploading_url"]
    members = {name: data for name, data in _members().items() if name.startswith("0.")}
    assert put(segments["audio_uploading_url"][0], members["0.wav"], "audio/wav").ok
    assert put(segments["txt_uploading_url"][0], members["0.txt"], "text/plain").ok
    response = api.confirm(job_id, 0)
    assert response.status_code == 200
    assert response.json() == {"confirm_result": True, "unmatched_index_hit": []}
    info = api.ok("GET", f"{USER}/training-segment", query=[("job_id", job_id)])
    assert info == {"confirmed_index": [0]}
    assert api.confirm(job_id, 1).status_code == 400  # nothing uploaded for sentence 1
    assert api.confirm(job_id, 20).status_code == 400  # basic has sentences 0..19


def _members() -> dict[str, bytes]:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(sentence_zip(1))) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_delete_then_show_is_unknown_job(api: Api) -> None:
    job_id = api.create("basic")["job_id"]
    assert api.ok("DELETE", f"{USER}/jobs/{job_id}") == {}
    response = api.call("GET", f"{USER}/jobs/{job_id}")
    assert response.status_code == 400
    assert response.json()["error_code"] == "MSS.00000003"


def test_unknown_path_method_and_job(api: Api) -> None:
    response = api.call("GET", "voice-training-manage/user/nothing-here")
    assert response.status_code == 400
    assert response.json()["error_code"] == "MSS.00010003"
    response = api.call("PUT", f"{USER}/jobs")
    assert response.status_code == 400
    assert response.json()["error_code"] == "MSS.00010004"
    response = api.call("GET", f"{USER}/jobs/{uuid.uuid4()}")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"error_code", "error_msg", "request_id"}
    assert response.headers["X-Request-Id"] == body["request_id"]


def test_every_response_has_a_request_id(api: Api) -> None:
    response = api.call("GET", f"{USER}/jobs")
    assert len(response.headers["X-Request-Id"]) >= 16
    echoed = api.call("GET", f"{USER}/jobs", headers={"X-Request-Id": "my-request-1"})
    assert echoed.headers["X-Request-Id"] == "my-request-1"


def test_assets_list_and_show(emu: Emulator, api: Api) -> None:
    emu.seed_jobs(
        [
            {"voice_name": "alpha voice", "state": "SUCCEED"},
            {"voice_name": "beta voice", "state": "SUCCEED"},
            {"voice_name": "gamma", "state": "CREATING"},
        ]
    )
    listed = api.ok("GET", "digital-assets", query=[("asset_type", "VOICE_MODEL")])
    assert listed["count"] == 2
    asset = listed["assets"][0]
    assert asset["asset_type"] == "VOICE_MODEL" and asset["asset_state"] == "ACTIVED"
    assert "project_id" not in asset
    by_name = api.ok("GET", "digital-assets", query=[("name", "alpha")])
    assert [a["asset_name"] for a in by_name["assets"]] == ["alpha voice"]
    ids = ",".join(a["asset_id"] for a in listed["assets"])
    assert api.ok("GET", "digital-assets", query=[("asset_id", ids)])["count"] == 2
    shown = api.ok("GET", f"digital-assets/{asset['asset_id']}")
    assert shown == asset
    assert api.call("GET", f"digital-assets/{uuid.uuid4()}").status_code == 400
