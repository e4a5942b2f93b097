"""``reconciler emulator serve --project-id P`` alone: an agency's world, IAM and metadata
service included, that the client reaches with nothing but their addresses; and the edges of
the two services' wire protocol."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from reconciler.emulator import Emulator
from reconciler.metastudio import MetaStudioClient
from reconciler.metastudio.chain import ChainSettings, resolve_credentials
from reconciler.metastudio.credentials import AgencyCredentials
from reconciler.metastudio.transport import new_session
from tests.emulator.test_cli import _serve
from tests.metastudio.conftest import emulator_config

AGENCY_PROJECT = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"


def test_serve_with_only_a_project_is_an_agency(tmp_path: Path) -> None:
    args = ("--project-id", AGENCY_PROJECT, "--region", "ap-southeast-3", "--metadata-ttl", "60")
    process = _serve(tmp_path, *args)
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().split(" on ")[1].split()[0]
        settings = ChainSettings(region="ap-southeast-3", iam_endpoint=base_url)
        with new_session() as session:
            creds = resolve_credentials(
                {"HUAWEICLOUD_SDK_METADATA_URL": base_url}, tmp_path, settings, session
            )
            assert isinstance(creds, AgencyCredentials)
            assert creds.project_id == AGENCY_PROJECT
            with MetaStudioClient.connect(base_url, creds) as client:
                assert client.list_jobs().count == 0
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[Emulator]:
    with Emulator(emulator_config(tmp_path / "emu")) as emu:
        yield emu


def test_metadata_session_tokens_and_wrong_requests(emulator: Emulator) -> None:
    base = emulator.base_url
    key_url = f"{base}/openstack/latest/securitykey"
    token_url = f"{base}/meta-data/latest/api/token"
    # No session token at all is accepted (older metadata services have none); a bad one is not.
    assert requests.get(key_url, timeout=5).json()["credential"]["access"]
    assert (
        requests.get(key_url, headers={"X-Metadata-Token": "forged"}, timeout=5).status_code == 401
    )
    ttl = {"X-Metadata-Token-Ttl-Seconds": "60"}
    token = requests.put(token_url, headers=ttl, timeout=5).text
    fresh = requests.get(key_url, headers={"X-Metadata-Token": token}, timeout=5)
    assert fresh.status_code == 200 and fresh.json()["credential"]["expires_at"].endswith("Z")
    emulator.advance_clock(61)
    assert requests.get(key_url, headers={"X-Metadata-Token": token}, timeout=5).status_code == 401
    bad_ttl = {"X-Metadata-Token-Ttl-Seconds": "0"}
    assert requests.put(token_url, headers=bad_ttl, timeout=5).status_code == 400
    assert requests.post(key_url, timeout=5).status_code == 405
    assert requests.get(f"{base}/openstack/latest/meta_data.json", timeout=5).status_code == 404


def test_iam_answers_only_its_project_listing(emulator: Emulator) -> None:
    base = emulator.base_url
    other = requests.get(f"{base}/v3/auth/tokens", timeout=5)
    assert other.status_code == 404 and other.json()["error_code"]
    assert requests.post(f"{base}/v3/projects", timeout=5).status_code == 405
