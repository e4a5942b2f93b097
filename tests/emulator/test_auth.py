"""AK/SK signatures and tokens, verified from the bytes received."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests

from reconciler.emulator import Credential
from tests.emulator.conftest import MakeEmulator
from tests.emulator.helpers import (
    AK,
    OTHER_PROJECT,
    OTHER_TOKEN,
    PROJECT,
    SK,
    TOKEN,
    USER,
    Api,
)

JOBS = f"{USER}/jobs"


def _assert_401(response: requests.Response) -> None:
    assert response.status_code == 401, response.text
    body = response.json()
    assert body["error_code"] == "APIGW.0301"
    assert body["error_msg"].startswith("Incorrect IAM authentication information")
    assert SK not in response.text and TOKEN not in response.text


def test_signed_request_with_query_is_accepted(api: Api) -> None:
    query = [("limit", "10"), ("offset", "0"), ("state", "FAILED,WAITING")]
    assert api.ok("GET", JOBS, query=query) == {"count": 0, "jobs": []}


def test_missing_auth_is_401(api: Api) -> None:
    _assert_401(api.call("GET", JOBS, sign=False))


def test_wrong_secret_key_is_401(api: Api) -> None:
    response = api.call("GET", JOBS, sk="not-the-secret")
    _assert_401(response)
    assert "verify aksk signature fail" in response.json()["error_msg"]


def test_tampered_signature_or_body_is_401(api: Api) -> None:
    headers = {"Content-Type": "application/json", "X-Project-Id": PROJECT}
    from reconciler import signing

    host = api.base_url.split("//")[1]
    path = f"/v1/{PROJECT}/{USER}/basic-jobs"
    signing.sign("POST", path, [], headers, b'{"voice_name": "a"}', AK, SK, host)
    # The body differs from the one that was signed.
    response = requests.post(
        api.base_url + path, data=b'{"voice_name": "b"}', headers=headers, timeout=10
    )
    _assert_401(response)
    headers["Authorization"] = headers["Authorization"][:-4] + "0000"
    response = requests.post(
        api.base_url + path, data=b'{"voice_name": "a"}', headers=headers, timeout=10
    )
    _assert_401(response)


def test_unknown_access_key_and_garbage_header_are_401(api: Api) -> None:
    _assert_401(Api(api.base_url, ak="UNKNOWNAK").call("GET", JOBS))
    _assert_401(api.call("GET", JOBS, sign=False, headers={"Authorization": "Basic abc"}))


def test_stale_sdk_date_is_401(api: Api) -> None:
    old = datetime.now(timezone.utc) - timedelta(minutes=16)
    _assert_401(api.call("GET", JOBS, now=old))
    recent = datetime.now(timezone.utc) - timedelta(minutes=14)
    assert api.call("GET", JOBS, now=recent).status_code == 200


def test_project_mismatch_is_400(api: Api) -> None:
    response = api.call("GET", JOBS, project=OTHER_PROJECT)
    assert response.status_code == 400
    assert response.json()["error_code"] == "MSS.00010009"
    header_only = api.call("GET", JOBS, headers={"X-Project-Id": OTHER_PROJECT})
    assert header_only.status_code == 400
    assert header_only.json()["error_code"] == "MSS.00010009"


def test_token_auth(api: Api) -> None:
    url = f"{api.base_url}/v1/{PROJECT}/{JOBS}"
    response = requests.get(url, headers={"X-Auth-Token": TOKEN}, timeout=10)
    assert response.status_code == 200
    wrong_project = requests.get(url, headers={"X-Auth-Token": OTHER_TOKEN}, timeout=10)
    assert wrong_project.status_code == 400
    assert wrong_project.json()["error_code"] == "MSS.00010009"
    _assert_401(requests.get(url, headers={"X-Auth-Token": "bogus"}, timeout=10))


def test_security_token_of_temporary_credentials(
    make_emulator: MakeEmulator, tmp_path: Path
) -> None:
    credential = Credential(ak=AK, sk=SK, project_id=PROJECT, security_token="sts-token")
    emu = make_emulator(credentials=[credential])
    api = Api(emu.base_url)
    _assert_401(api.call("GET", JOBS))
    response = api.call("GET", JOBS, headers={"X-Security-Token": "sts-token"})
    assert response.status_code == 200
