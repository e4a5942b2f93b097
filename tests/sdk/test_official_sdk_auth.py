"""The official SDK finds the project through the emulator's IAM, and reads its metadata keys.

The client and the emulator follow the SDK's IAM lookup and metadata reader; here the SDK
itself makes the calls, so a path, signature, field or time format that only the two of them
agree on fails.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.auth.internal import MetadataAccessor
from huaweicloudsdkcore.region.region import Region
from huaweicloudsdkmetastudio.v1 import ListVoiceTrainingJobRequest, MetaStudioClient

from reconciler.emulator import Emulator
from tests.metastudio.conftest import AK, PROJECT, SK, emulator_config
from tests.sdk.support import recording_connections

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture
def emulator(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    with Emulator(emulator_config(tmp_path / "emulator")) as emu:
        yield emu


def test_the_sdk_looks_the_project_up_in_the_emulated_iam(emulator: Emulator) -> None:
    credentials = BasicCredentials(AK, SK).with_iam_endpoint(emulator.base_url)
    with recording_connections() as seen:
        client = (
            MetaStudioClient.new_builder()
            .with_credentials(credentials)
            .with_region(Region("cn-north-4", emulator.base_url))
            .build()
        )
        response = client.list_voice_training_job(ListVoiceTrainingJobRequest())
    assert response.status_code == 200 and credentials.project_id == PROJECT
    assert emulator.stats()["operations"]["list_projects"] == 1
    port = urlsplit(emulator.base_url).port
    assert set(seen.connects) == {("127.0.0.1", port)}


def test_the_sdk_reads_the_emulated_metadata_keys(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(MetadataAccessor, "_METADATA_ENDPOINT", emulator.base_url)
    credential = MetadataAccessor().get_credential()
    [issued] = emulator.core.agency.issued()
    assert (credential.access, credential.secret, credential.security_token) == (
        issued.ak,
        issued.sk,
        issued.security_token,
    )
    assert issued.expires_at is not None
    # The SDK reads the UTC time with time.mktime, as local time: compare likewise.
    assert abs(credential.expire_at - time.mktime(time.gmtime(issued.expires_at))) < 2
    ops = emulator.stats()["operations"]
    assert ops["get_metadata_token"] == 1 and ops["get_securitykey"] == 1
