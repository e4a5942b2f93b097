"""Client parts that need no server: redaction, endpoints, credentials, backoff, models."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from reconciler.errors import ReconcilerError
from reconciler.metastudio import (
    AkSkCredentials,
    MetaStudioError,
    SignedUrl,
    TokenCredentials,
    load_credentials,
    redact_url,
    resolve_endpoint,
)
from reconciler.metastudio.models import AuditResult, JobPage, TrainingJob, UploadUrls
from reconciler.metastudio.policy import RetryPolicy, TokenBucket, parse_retry_after

SIGNED = "https://bucket.obs.example.com/a/data.zip?AccessKeyId=AK&Expires=1&Signature=c2VjcmV0"


def test_signed_urls_never_show_their_query() -> None:
    url = SignedUrl(SIGNED)
    for shown in (str(url), repr(url), repr(UploadUrls(url, (url,), (), None))):
        assert "c2VjcmV0" not in shown and "AccessKeyId" not in shown
    assert url.value == SIGNED
    assert redact_url(SIGNED) == "https://bucket.obs.example.com/a/data.zip?<redacted>"
    assert redact_url("http://user:pw@127.0.0.1:9/x") == "http://127.0.0.1:9/x"


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"region": "cn-north-4"}, "https://metastudio.cn-north-4.myhuaweicloud.com"),
        ({"endpoint": "metastudio.example.com"}, "https://metastudio.example.com"),
        ({"endpoint": "http://127.0.0.1:8080/"}, "http://127.0.0.1:8080"),
        ({"endpoint": "http://[::1]:8080"}, "http://[::1]:8080"),
        ({"endpoint": "http://localhost:1"}, "http://localhost:1"),
        # the region then only names the project; the endpoint says where to send
        ({"region": "cn-north-4", "endpoint": "https://x"}, "https://x"),
    ],
)
def test_endpoint_resolution(kwargs: dict[str, str], expected: str) -> None:
    assert resolve_endpoint(**kwargs) == expected


@pytest.mark.parametrize(
    "kwargs",
    [
        {"endpoint": "http://metastudio.example.com"},  # plain http off loopback
        {"endpoint": "http://10.0.0.1:80"},
        {"endpoint": "ftp://127.0.0.1"},
        {"region": "cn/../x"},
        {},
        {"region": "eu-west-0"},  # MetaStudio is not offered there
    ],
)
def test_endpoint_refusals(kwargs: dict[str, str]) -> None:
    with pytest.raises(ReconcilerError):
        resolve_endpoint(**kwargs)


def test_credentials_from_env_then_profile(tmp_path: Path) -> None:
    env = {
        "HUAWEICLOUD_SDK_AK": "AK1",
        "HUAWEICLOUD_SDK_SK": "SK1",
        "HUAWEICLOUD_SDK_PROJECT_ID": "p",
    }
    creds = load_credentials(env, tmp_path)
    assert creds == AkSkCredentials("AK1", "SK1", "p", None)
    assert "SK1" not in repr(creds)

    profile = tmp_path / ".huaweicloud" / "credentials"
    profile.parent.mkdir()
    profile.write_text("[basic]\nak = AK2\nsk = SK2\nproject_id = p2\nsecurity_token = sectok-9\n")
    from_file = load_credentials({}, tmp_path)
    assert from_file == AkSkCredentials("AK2", "SK2", "p2", "sectok-9")
    assert "sectok-9" not in repr(from_file) and "SK2" not in repr(from_file)
    # explicit project id (from the config) beats both
    assert load_credentials(env, tmp_path, project_id="cfg").project_id == "cfg"


def test_token_credentials_and_missing_ones(tmp_path: Path) -> None:
    creds = load_credentials(
        {"RECONCILER_AUTH_TOKEN": "tok", "HUAWEICLOUD_SDK_PROJECT_ID": "p"}, tmp_path
    )
    assert creds == TokenCredentials("tok", "p") and "tok" not in repr(creds)
    assert load_credentials({"MY_TOKEN": "t"}, tmp_path, project_id="p", token_env="MY_TOKEN") == (
        TokenCredentials("t", "p")
    )
    with pytest.raises(ReconcilerError, match="MY_TOKEN"):
        load_credentials({}, tmp_path, project_id="p", token_env="MY_TOKEN")
    with pytest.raises(ReconcilerError, match="no MetaStudio credentials"):
        load_credentials({}, tmp_path)
    with pytest.raises(ReconcilerError, match="project id"):
        load_credentials({"HUAWEICLOUD_SDK_AK": "a", "HUAWEICLOUD_SDK_SK": "b"}, tmp_path)


def test_backoff_is_bounded_jittered_and_honours_retry_after() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=8.0)
    rng = random.Random(1)
    delays = [policy.delay(n, None, rng) for n in range(1, 30)]
    assert all(0 <= d <= 8.0 for d in delays)
    assert len({round(d, 6) for d in delays}) > 20  # jitter, not a fixed schedule
    assert policy.delay(1, 5.0, rng) >= 5.0
    assert policy.delay(1, 10_000.0, rng) == policy.max_retry_after
    assert parse_retry_after("2") == 2.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") is None
    assert parse_retry_after(None) is None


def test_token_bucket_spaces_calls_at_the_rate() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    bucket = TokenBucket(2.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(6):
        bucket.acquire()
    # a burst of 2, then one call every 0.5 s
    assert slept == pytest.approx([0.5, 0.5, 0.5, 0.5])
    unlimited = TokenBucket(0.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(100):
        unlimited.acquire()
    assert len(slept) == 4


def test_models_keep_unknown_fields_and_states() -> None:
    raw = {
        "job_id": "j1",
        "state": "PAUSED_FOR_NEW_REASON",
        "create_time": 5,
        "phone": "13800000000",
        "brand_new_field": {"x": 1},
    }
    job = TrainingJob.from_raw(raw)
    assert job.state == "PAUSED_FOR_NEW_REASON" and not job.known_state
    assert job.raw["brand_new_field"] == {"x": 1}
    assert "13800000000" not in repr(job)
    page = JobPage.from_raw({"count": 3, "jobs": [raw, "garbage"]})
    assert page.count == 3 and [j.job_id for j in page.jobs] == ["j1"]
    audit = AuditResult.from_raw(
        {"system_audit_result": {"audit_time": 1, "errors": [{"audio_name": "3.wav"}]}}
    )
    assert audit.system_errors[0].audio_name == "3.wav"


def test_upload_url_shapes_normalise_to_one() -> None:
    created = UploadUrls.from_create(
        {
            "training_data_uploading_url": "https://o/p",
            "segment_uploading_url": {
                "audio_uploading_url": ["https://o/a0"],
                "txt_uploading_url": ["https://o/t0"],
            },
            "authorization_letter_uploading_url": "https://o/l",
        }
    )
    fetched = UploadUrls.from_address(
        {
            "package_url": {"training_data_uploading_url": "https://o/p"},
            "segment_url": {
                "audio_uploading_url": ["https://o/a0"],
                "txt_uploading_url": ["https://o/t0"],
            },
            "authorization_letter_uploading_url": "https://o/l",
        }
    )
    assert created == fetched
    assert created.package is not None and created.package.value == "https://o/p"


def test_error_body_parsing_follows_the_sdk_order() -> None:
    e = MetaStudioError.from_response(
        "show_job", 400, '{"error_code":"MSS.00000003","error_msg":"Invalid parameter"}', "rid"
    )
    assert (e.status, e.error_code, e.error_msg, e.request_id) == (
        400,
        "MSS.00000003",
        "Invalid parameter",
        "rid",
    )
    assert "HTTP 400 MSS.00000003: Invalid parameter [request id rid]" in str(e)
    nested = MetaStudioError.from_response(
        "x", 500, '{"outer": {"code": "C1", "message": "m"}}', None
    )
    assert (nested.error_code, nested.error_msg) == ("C1", "m")
    plain = MetaStudioError.from_response("x", 502, "<html>bad gateway</html>", None)
    assert plain.error_code == "502" and "bad gateway" in str(plain)
    auth = MetaStudioError.from_response(
        "x", 401, '{"error_code":"APIGW.0301","error_msg":"no"}', None
    )
    assert "access key" in str(auth)
