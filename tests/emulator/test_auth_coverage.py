"""Only what the signature covers may steer a call: replays with anything else changed fail.

Every request here travels over loopback HTTP to the emulator; the attacker's view is a
captured, validly signed request that is replayed with one part altered.
"""

from __future__ import annotations

import hashlib
import http.client
import json
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

import requests

from reconciler import signing
from tests.emulator.helpers import AK, PROJECT, SK, USER, Api

CREATE = f"/v1/{PROJECT}/{USER}/basic-jobs"
BODY = json.dumps({"voice_name": "signed", "sex": "FEMALE", "language": "CN"}).encode()
OTHER_BODY = json.dumps({"voice_name": "replaced", "sex": "MALE", "language": "CN"}).encode()
SHA = hashlib.sha256(BODY).hexdigest()


def _signed(api: Api, extra: dict[str, str] | None = None) -> dict[str, str]:
    """A create call for BODY as the SDK signs it, ready to be replayed."""
    headers = {"Content-Type": "application/json", "X-Project-Id": PROJECT, **(extra or {})}
    host = urlsplit(api.base_url).netloc
    return signing.sign("POST", CREATE, [], headers, BODY, AK, SK, host)


def _signed_only(api: Api, names: list[str], headers: dict[str, str], path: str) -> None:
    """Sign ``headers`` claiming only ``names`` as SignedHeaders (what a forger can send)."""
    headers.setdefault(signing.DATE_HEADER, signing.sdk_date())
    headers.setdefault("Host", urlsplit(api.base_url).netloc)
    canonical = signing.canonical_request("GET", path, [], headers, names, b"")
    sig = signing.signature(SK, signing.string_to_sign(canonical, headers[signing.DATE_HEADER]))
    headers["Authorization"] = signing.authorization(AK, names, sig)


def _post(api: Api, headers: dict[str, str], body: bytes) -> requests.Response:
    return requests.post(api.base_url + CREATE, data=body, headers=headers, timeout=10)


def _assert_refused(response: requests.Response | http.client.HTTPResponse, detail: str) -> None:
    status = response.status_code if isinstance(response, requests.Response) else response.status
    text = response.text if isinstance(response, requests.Response) else response.read().decode()
    assert status == 401, text
    body = json.loads(text)
    assert body["error_code"] == "APIGW.0301"
    assert body["error_msg"].startswith("Incorrect IAM authentication information: ")
    assert detail in body["error_msg"]
    assert SK not in text


def _job_names(api: Api) -> list[str]:
    jobs = api.ok("GET", f"{USER}/jobs")["jobs"]
    return [job["voice_name"] for job in jobs]


def test_replay_with_another_body_and_an_unsigned_content_sha_creates_nothing(api: Api) -> None:
    headers = _signed(api)
    headers[signing.CONTENT_SHA_HEADER] = SHA  # vouches for the signed body, not the one sent
    _assert_refused(_post(api, headers, OTHER_BODY), "x-sdk-content-sha256")
    assert _job_names(api) == []


def test_signed_content_sha_that_matches_the_body_is_accepted(api: Api) -> None:
    headers = _signed(api, {signing.CONTENT_SHA_HEADER: SHA})
    response = _post(api, headers, BODY)
    assert response.status_code == 200, response.text
    assert _job_names(api) == ["signed"]


def test_signed_content_sha_does_not_vouch_for_another_body(api: Api) -> None:
    headers = _signed(api, {signing.CONTENT_SHA_HEADER: SHA})
    _assert_refused(_post(api, headers, OTHER_BODY), "verify aksk signature fail")
    assert _job_names(api) == []


def test_unsigned_payload_is_refused_for_json_bodies(api: Api) -> None:
    headers = _signed(api, {signing.CONTENT_SHA_HEADER: signing.UNSIGNED_PAYLOAD})
    _assert_refused(_post(api, headers, OTHER_BODY), "UNSIGNED-PAYLOAD")
    assert _job_names(api) == []


def test_unsigned_payload_of_a_non_json_body_authenticates_as_the_sdk_signs_it(api: Api) -> None:
    # The SDK leaves non-JSON payloads unsigned; the call then fails on its content, not on
    # its signature, whichever body is sent.
    extra = {"Content-Type": "text/plain", signing.CONTENT_SHA_HEADER: signing.UNSIGNED_PAYLOAD}
    for body in (BODY, OTHER_BODY):
        response = _post(api, _signed(api, extra), body)
        assert response.status_code == 400, response.text
        assert response.json()["error_code"] == "MSS.10000002"
    assert _job_names(api) == []


def test_an_unsigned_header_the_emulator_acts_on_is_refused(api: Api) -> None:
    for name, value in (("X-App-UserId", "intruder"), ("X-Security-Token", "t")):
        headers = _signed(api)
        headers[name] = value
        _assert_refused(_post(api, headers, BODY), f"{name.lower()} is sent but not among")
    assert _job_names(api) == []


def test_a_repeated_header_in_another_case_cannot_hide_from_the_signature(api: Api) -> None:
    headers = _signed(api, {"X-App-UserId": "user-1"})
    url = urlsplit(api.base_url)
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=10)
    try:
        connection.putrequest("POST", CREATE, skip_host=True, skip_accept_encoding=True)
        connection.putheader("x-app-userid", "intruder")  # first, where a handler looks
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(len(BODY)))
        connection.endheaders(BODY)
        _assert_refused(connection.getresponse(), "verify aksk signature fail")
    finally:
        connection.close()
    assert _job_names(api) == []


def test_host_and_date_must_be_signed_and_signed_headers_present(api: Api) -> None:
    path = f"/v1/{PROJECT}/{USER}/jobs"
    url = api.base_url + path
    cases = (
        (["content-type", "x-project-id", "x-sdk-date"], "host is not among"),
        (["content-type", "host", "x-project-id"], "x-sdk-date is not among"),
        (["content-type", "host", "x-sdk-date"], "x-project-id is sent but not among"),
        (["content-type", "host", "x-app-userid", "x-project-id", "x-sdk-date"], "x-app-userid"),
    )
    for names, detail in cases:
        headers = {"Content-Type": "application/json", "X-Project-Id": PROJECT}
        _signed_only(api, names, headers, path)
        _assert_refused(requests.get(url, headers=headers, timeout=10), detail)
    headers = {"Content-Type": "application/json", "X-Project-Id": PROJECT}
    _signed_only(api, ["content-type", "host", "x-project-id", "x-sdk-date"], headers, path)
    assert requests.get(url, headers=headers, timeout=10).status_code == 200


def test_date_outside_fifteen_minutes_either_way_is_refused(api: Api) -> None:
    now = datetime.now(timezone.utc)
    for skew in (timedelta(minutes=-16), timedelta(minutes=16)):
        _assert_refused(api.call("GET", f"{USER}/jobs", now=now + skew), "X-Sdk-Date")
    assert api.call("GET", f"{USER}/jobs", now=now + timedelta(minutes=14)).status_code == 200


def test_query_order_carries_no_meaning_because_repeats_are_refused(api: Api) -> None:
    for _ in range(3):
        api.create()
    path = f"/v1/{PROJECT}/{USER}/jobs"
    for wire in ("offset=0&limit=1", "limit=1&offset=0"):  # reordered: same signature, same page
        headers = {"Content-Type": "application/json", "X-Project-Id": PROJECT}
        pairs = [("limit", "1"), ("offset", "0")]
        signing.sign("GET", path, pairs, headers, b"", AK, SK, urlsplit(api.base_url).netloc)
        response = requests.get(f"{api.base_url}{path}?{wire}", headers=headers, timeout=10)
        assert len(response.json()["jobs"]) == 1
    # Which of two repeats comes last is not signed, so a repeat is refused, not picked.
    repeated = api.call("GET", f"{USER}/jobs", query=[("limit", "1"), ("limit", "10")])
    assert repeated.status_code == 400
    assert "limit is given more than once" in repeated.json()["error_msg"]


def test_encoded_slash_in_the_path_is_refused(api: Api) -> None:
    job_id = api.create()["job_id"]
    # Canonically the same as .../jobs/{id}/op-logs, but routed as another job id.
    response = api.call("GET", f"{USER}/jobs/{job_id}%2Fop-logs")
    _assert_refused(response, "encoded '/'")
