"""Requests the real service would reject are rejected, with its error codes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator.helpers import USER, Api

CREATE = f"{USER}/basic-jobs"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "voice_name"),
        ({"voice_name": ""}, "voice_name"),
        ({"voice_name": 3}, "voice_name"),
        ({"voice_name": "v", "sex": "OTHER"}, "sex"),
        ({"voice_name": "v", "language": "FR"}, "language"),
        ({"voice_name": "v", "tag": "SPORTS"}, "tag"),
        ({"voice_name": "v", "create_type": "package"}, "create_type"),
        ({"voice_name": "v", "is_ondemand_resource": "yes"}, "is_ondemand_resource"),
        ({"voice_name": "v", "supported_service": ["VIDEO_3D"]}, "supported_service"),
    ],
)
def test_bad_create_fields(api: Api, body: dict[str, Any], field: str) -> None:
    response = api.call("POST", CREATE, body=body)
    assert response.status_code == 400
    error = response.json()
    assert error["error_code"] == "MSS.00000003"
    assert error["error_msg"].startswith(f"Invalid parameter: {field}")


@pytest.mark.parametrize("edition", ["advance", "third-party"])
def test_segment_mode_is_refused_for_long_recording_editions(api: Api, edition: str) -> None:
    response = api.call(
        "POST", f"{USER}/{edition}-jobs", body={"voice_name": "v", "create_type": "SEGMENT"}
    )
    assert response.status_code == 400
    assert "create_type" in response.json()["error_msg"]


def test_unknown_fields_are_ignored(api: Api) -> None:
    created = api.ok("POST", CREATE, body={"voice_name": "v", "brand_new_field": 1})
    assert api.show(created["job_id"])["voice_name"] == "v"


def test_body_that_is_not_json(api: Api) -> None:
    response = api.call("POST", CREATE, raw_body=b"{not json")
    assert response.status_code == 400
    assert response.json()["error_code"] == "MSS.00000002"
    response = api.call("POST", CREATE, raw_body=b"[1, 2]")
    assert response.json()["error_code"] == "MSS.00000002"


def test_json_with_a_non_json_content_type(api: Api) -> None:
    response = api.call(
        "POST", CREATE, body={"voice_name": "v"}, headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 400
    assert response.json()["error_code"] == "MSS.10000002"


def test_submit_without_any_training_data_is_refused(api: Api) -> None:
    job_id = api.create("basic")["job_id"]
    response = api.submit(job_id)
    assert response.status_code == 400  # nothing uploaded yet
    assert "no training data" in response.json()["error_msg"]


def test_submit_body_is_validated(api: Api) -> None:
    job_id = api.create("basic")["job_id"]
    response = api.submit(job_id, {"sex": "NEUTRAL"})
    assert response.status_code == 400
    assert "sex" in response.json()["error_msg"]
