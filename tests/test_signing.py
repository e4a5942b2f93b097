"""The API document's worked examples (section 5.3), reproduced to the byte."""

from __future__ import annotations

import hashlib

from reconciler import signing

AK = "HPUAEXAMPLEAK0000001"
SK = "exampleSecretKey0123456789abcdefghijklmn"
PROJECT = "3f0924078d1b471c884a5383d4dec9fa"
DATE = "20250101T120000Z"
HOST = "metastudio.cn-north-4.myhuaweicloud.com"
BASE_HEADERS = {"Content-Type": "application/json", "X-Project-Id": PROJECT, "X-Sdk-Date": DATE}

CANONICAL_A = (
    "GET\n"
    f"/v1/{PROJECT}/voice-training-manage/user/jobs/\n"
    "limit=10&offset=0&state=FAILED%2CWAITING\n"
    "content-type:application/json\n"
    f"host:{HOST}\n"
    f"x-project-id:{PROJECT}\n"
    f"x-sdk-date:{DATE}\n"
    "\n"
    "content-type;host;x-project-id;x-sdk-date\n"
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)
QUERY_A = [("limit", "10"), ("offset", "0"), ("state", "FAILED,WAITING")]


def test_example_a_canonical_request_and_signature() -> None:
    headers = dict(BASE_HEADERS)
    path = f"/v1/{PROJECT}/voice-training-manage/user/jobs"
    signing.sign("GET", path, QUERY_A, headers, b"", AK, SK, HOST)
    canonical = signing.canonical_request(
        "GET",
        path,
        QUERY_A,
        {k: v for k, v in headers.items() if k != "Authorization"},
        ["content-type", "host", "x-project-id", "x-sdk-date"],
        b"",
    )
    assert canonical == CANONICAL_A
    assert signing.string_to_sign(canonical, DATE).splitlines()[2] == (
        "14c0d1831c3c8afdf096eadeb4ebd36e5db576c12544bc142eb35bd874ea93ff"
    )
    assert headers["Authorization"] == (
        "SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0000001, "
        "SignedHeaders=content-type;host;x-project-id;x-sdk-date, "
        "Signature=d4cf49ef70997b9fce3df5161f9c4d75f34eaedff595c368fde881e4a0656b8a"
    )
    assert signing.canonical_query(QUERY_A) == "limit=10&offset=0&state=FAILED%2CWAITING"


def test_example_b_post_create_basic() -> None:
    body = (
        b'{"voice_name": "demo-voice", "sex": "FEMALE", "language": "CN", "create_type": "PACKAGE"}'
    )
    assert hashlib.sha256(body).hexdigest() == (
        "bce616c55e1feb593fcd8585ecb52f3056e4de0bc90717eeaea450c5bbb6b757"
    )
    headers = dict(BASE_HEADERS, **{"X-App-UserId": "user-1"})
    path = f"/v1/{PROJECT}/voice-training-manage/user/basic-jobs"
    signing.sign("POST", path, [], headers, body, AK, SK, HOST)
    assert headers["Authorization"].endswith(
        "SignedHeaders=content-type;host;x-app-userid;x-project-id;x-sdk-date, "
        "Signature=209292b2719fb5384ec005b114dbc482ecd79566227f3892aa1cabb686fc40ed"
    )
    canonical = signing.canonical_request(
        "POST",
        path,
        [],
        headers,
        ["content-type", "host", "x-app-userid", "x-project-id", "x-sdk-date"],
        body,
    )
    assert signing.string_to_sign(canonical, DATE).endswith(
        "936a91e608909ed67fc501f14eef9f919cbf9ea16cee022f64a07ea15442ffbe"
    )


def test_example_c_full_client_headers_with_port_host() -> None:
    headers = {
        "User-Agent": "huaweicloud-usdk-python/3.0; fixed-ua",
        "Content-Type": "application/json",
        "X-Sdk-Date": DATE,
        "X-Project-Id": PROJECT,
    }
    path = f"/v1/{PROJECT}/voice-training-manage/user/jobs/26f06524-4f75-4b3a-a853-b649a21aaf66"
    signing.sign("GET", path, [], headers, b"", AK, SK, "127.0.0.1:18080")
    assert headers["Host"] == "127.0.0.1:18080"
    assert headers["Authorization"] == (
        "SDK-HMAC-SHA256 Access=HPUAEXAMPLEAK0000001, "
        "SignedHeaders=content-type;host;user-agent;x-project-id;x-sdk-date, "
        "Signature=4ed733fdd2dbe3f1c14b909cb2ca5e95cf933a6a25cab681f6dacda211c135ae"
    )


def test_verify_round_trip_and_tamper() -> None:
    headers = dict(BASE_HEADERS)
    path = f"/v1/{PROJECT}/voice-training-manage/user/jobs"
    signing.sign("GET", path, QUERY_A, headers, b"", AK, SK, HOST)
    parsed = signing.parse_authorization(headers["Authorization"])
    assert parsed is not None and parsed.access_key == AK
    assert signing.verify("GET", path, QUERY_A, headers, b"", parsed, SK)
    assert not signing.verify("GET", path, QUERY_A, headers, b"", parsed, SK + "x")
    assert not signing.verify("GET", path, [("limit", "11")], headers, b"", parsed, SK)
    assert not signing.verify("POST", path, QUERY_A, headers, b"", parsed, SK)
    assert not signing.verify("GET", path, QUERY_A, headers, b"{}", parsed, SK)


def test_canonical_uri_quirks() -> None:
    assert signing.canonical_uri("/v1/p/a%20b%2Fc") == "/v1/p/a%20b/c/"
    assert signing.canonical_uri("/v1/p/x/") == "/v1/p/x/"
    assert signing.canonical_query([("b", "1"), ("a", "x y"), ("a", "w")]) == "a=w&a=x%20y&b=1"
    assert signing.query_value(True) == "true"


def test_parse_authorization_rejects_garbage() -> None:
    assert signing.parse_authorization("Bearer abc") is None
    assert signing.parse_authorization("SDK-HMAC-SHA256 Access=a, SignedHeaders=b") is None
