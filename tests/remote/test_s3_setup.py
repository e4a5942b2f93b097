"""How the S3 client is set up for OBS, and what a missing extra says."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from reconciler.s3client import is_obs
from reconciler.state.backends.s3_store import make_client
from tests.cli_runs import run_cli


def test_an_obs_endpoint_gets_what_obs_needs() -> None:
    config = make_client("https://obs.cn-north-4.myhuaweicloud.com", "cn-north-4").meta.config
    assert config.s3 == {"addressing_style": "virtual"}
    assert config.request_checksum_calculation == "when_required"
    assert config.response_checksum_validation == "when_required"
    other = make_client("https://s3.eu-west-1.amazonaws.com", "eu-west-1").meta.config
    assert other.request_checksum_calculation != "when_required"


@pytest.mark.parametrize(
    ("endpoint", "expected"),
    [
        ("https://obs.cn-north-4.myhuaweicloud.com", True),
        ("https://obs.ap-southeast-3.myhuaweicloud.com:443/", True),
        ("https://myhuaweicloud.com.example.org", False),
        ("http://127.0.0.1:9000", False),
        (None, False),
    ],
)
def test_obs_is_recognised_by_its_domain(endpoint: str | None, expected: bool) -> None:
    assert is_obs(endpoint) is expected


@pytest.mark.parametrize(
    ("module", "section", "extra"),
    [
        ("boto3", "state: {backend: s3, bucket: team-state}", "metastudio-reconciler[s3]"),
        (
            "psycopg",
            "state: {backend: postgres, dsn: 'host=127.0.0.1'}",
            "metastudio-reconciler[postgres]",
        ),
    ],
)
def test_a_missing_extra_names_the_install_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, module: str, section: str, extra: str
) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # as if not installed
    text = f"version: 1\nprovider: {{emulator: {tmp_path / 'emu'}}}\n{section}\nvoices: {{}}\n"
    (tmp_path / "voices.yaml").write_text(text)
    code, _, err = run_cli(tmp_path, "state", "pull")
    assert code == 1, err
    assert f"pip install '{extra}'" in err and "Traceback" not in err


def test_no_aws_credentials_is_one_line_naming_the_chain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, moto_url: str, bucket: str
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # never ask a metadata service
    section = f"state: {{backend: s3, bucket: {bucket}, endpoint: '{moto_url}'}}"
    text = f"version: 1\nprovider: {{emulator: {tmp_path / 'emu'}}}\n{section}\nvoices: {{}}\n"
    (tmp_path / "voices.yaml").write_text(text)
    code, _, err = run_cli(tmp_path, "state", "pull")
    assert code == 1, err
    assert "no AWS credentials" in err and "AWS_ACCESS_KEY_ID" in err
    assert "Traceback" not in err and "unexpected" not in err
