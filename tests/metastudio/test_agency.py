"""Temporary keys from the metadata service: the chain's last link, refreshed before expiry."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pytest

from reconciler.emulator import Emulator
from reconciler.errors import ReconcilerError
from reconciler.metastudio import AkSkCredentials, MetaStudioClient, MetaStudioError
from reconciler.metastudio.chain import ChainSettings, resolve_credentials
from reconciler.metastudio.credentials import AgencyCredentials
from reconciler.metastudio.metadata import ENV_METADATA_URL, metadata_url
from reconciler.metastudio.transport import new_session
from tests.metastudio.conftest import AK, PROJECT, emulator_config
from tests.metastudio.helpers import admin
from tests.metastudio.test_network_errors import SilentServer, closed_port


def operations(emulator: Emulator) -> dict[str, int]:
    return dict(admin(emulator.base_url, "GET", "/stats")["operations"])


def agency(emulator: Emulator, tmp_path: Path, **extra: str) -> AgencyCredentials:
    """Credentials with nothing but the metadata service, the clock following the emulator's."""
    environ = {ENV_METADATA_URL: emulator.base_url, **extra}
    settings = ChainSettings(
        region="cn-north-4", iam_endpoint=emulator.base_url, cache_dir=tmp_path / ".reconciler"
    )
    creds = resolve_credentials(
        environ,
        tmp_path,
        settings,
        new_session(),
        clock=lambda: time.time() + emulator.core.clock_offset,
    )
    assert isinstance(creds, AgencyCredentials)
    return creds


def test_only_an_agency_finds_keys_and_project(emulator: Emulator, tmp_path: Path) -> None:
    creds = agency(emulator, tmp_path)
    assert creds.project_id == PROJECT
    counts = operations(emulator)
    assert counts["get_securitykey"] == 1 and counts["get_metadata_token"] == 1
    assert counts["list_projects"] == 1  # signed with the temporary keys and their token
    with MetaStudioClient.connect(emulator.base_url, creds) as client:
        assert client.list_jobs().count == 0
    keys = creds.current()
    assert keys.access_key != AK and keys.security_token
    for shown in (repr(creds), repr(keys)):
        assert keys.secret_key not in shown and str(keys.security_token) not in shown


def test_keys_are_refreshed_before_they_expire_and_expired_ones_are_refused(
    emulator: Emulator, tmp_path: Path
) -> None:
    creds = agency(emulator, tmp_path)
    first = creds.current()
    with MetaStudioClient.connect(emulator.base_url, creds) as client:
        client.list_jobs()
        emulator.advance_clock(3 * 3600)  # 3 h of 6 h left: not yet due (2 h before expiry)
        client.list_jobs()
        assert creds.refreshes == 0
        emulator.advance_clock(int(1.5 * 3600))  # 1.5 h left: due
        client.list_jobs()
        assert creds.refreshes == 1 and operations(emulator)["get_securitykey"] == 2
        assert creds.current().access_key != first.access_key
        emulator.advance_clock(2 * 3600)  # the first keys have expired; the new ones hold
        assert client.list_jobs().count == 0
    with MetaStudioClient.connect(emulator.base_url, first) as stale:
        with pytest.raises(MetaStudioError) as error:
            stale.list_jobs()
    assert "HTTP 401" in str(error.value) and "expired" in str(error.value)


def test_short_lived_keys_are_not_fetched_for_every_request(tmp_path: Path) -> None:
    config = emulator_config(tmp_path / "emu", metadata_ttl_seconds=3600.0)
    with Emulator(config) as emulator:
        creds = agency(emulator, tmp_path)
        with MetaStudioClient.connect(emulator.base_url, creds) as client:
            for _ in range(5):
                client.list_jobs()
            assert creds.refreshes == 0  # an hour's keys: refreshed after half of it
            emulator.advance_clock(31 * 60)
            client.list_jobs()
            assert creds.refreshes == 1


def test_metadata_that_never_answers_is_one_line_and_not_retried(tmp_path: Path) -> None:
    silent = SilentServer()
    try:
        with pytest.raises(ReconcilerError) as error, new_session() as session:
            resolve_credentials(
                {ENV_METADATA_URL: f"http://127.0.0.1:{silent.port}"},
                tmp_path,
                ChainSettings(region="cn-north-4"),
                session,
            )
        assert len(silent.accepted) == 1  # the SDK's 3 s timeout, once: bounded
    finally:
        silent.close()
    message = str(error.value)
    assert message.startswith("no MetaStudio credentials: HUAWEICLOUD_SDK_AK/")
    assert (
        f"127.0.0.1:{silent.port} accepted the connection but sent no answer within 3 s" in message
    )
    assert "not retried" in message and "HUAWEICLOUD_SDK_METADATA_URL" in message
    assert "\n" not in message


def test_metadata_refused_and_no_agency(tmp_path: Path) -> None:
    port = closed_port()
    with pytest.raises(ReconcilerError, match=f"127.0.0.1:{port} refused the connection"):
        with new_session() as session:
            resolve_credentials(
                {ENV_METADATA_URL: f"http://127.0.0.1:{port}"}, tmp_path, ChainSettings(), session
            )
    config = emulator_config(tmp_path / "emu", agency=False)
    with Emulator(config) as emulator, pytest.raises(ReconcilerError) as error:
        agency(emulator, tmp_path)
    assert "Please configure Cloud Service Agency first" in str(error.value)
    assert "attach an agency" in str(error.value)


def test_env_and_profile_come_before_the_metadata_service(
    emulator: Emulator, tmp_path: Path
) -> None:
    profile = tmp_path / ".huaweicloud" / "credentials"
    profile.parent.mkdir()
    profile.write_text(f"[basic]\nak = {AK}\nsk = {emulator.config.credentials[0].sk}\n")
    environ = {ENV_METADATA_URL: emulator.base_url}
    with new_session() as session:
        creds = resolve_credentials(environ, tmp_path, ChainSettings(project_id=PROJECT), session)
    assert isinstance(creds, AkSkCredentials) and creds.access_key == AK
    assert "get_securitykey" not in operations(emulator)


def test_metadata_address_must_be_link_local_loopback_or_https() -> None:
    assert metadata_url({}) == "http://169.254.169.254"
    assert metadata_url({ENV_METADATA_URL: "http://127.0.0.1:8/"}) == "http://127.0.0.1:8"
    assert (
        metadata_url({ENV_METADATA_URL: "https://meta.example.com"}) == "https://meta.example.com"
    )
    with pytest.raises(ReconcilerError, match="refusing HUAWEICLOUD_SDK_METADATA_URL"):
        metadata_url({ENV_METADATA_URL: "http://meta.example.com"})


def test_no_temporary_secret_reaches_the_logs(
    emulator: Emulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    creds = agency(emulator, tmp_path)
    with MetaStudioClient.connect(emulator.base_url, creds) as client:
        client.list_jobs()
    keys = creds.current()
    logged = caplog.text
    assert keys.secret_key not in logged and str(keys.security_token) not in logged
    cache = (tmp_path / ".reconciler" / "projects.json").read_text(encoding="utf-8")
    assert keys.access_key not in cache and keys.secret_key not in cache


def test_half_a_key_pair_is_an_error_not_a_metadata_lookup(
    emulator: Emulator, tmp_path: Path
) -> None:
    environ = {ENV_METADATA_URL: emulator.base_url, "HUAWEICLOUD_SDK_AK": AK}
    with pytest.raises(ReconcilerError) as error, new_session() as session:
        resolve_credentials(environ, tmp_path, ChainSettings(project_id=PROJECT), session)
    assert "incomplete MetaStudio credentials: an access key but no secret key" in str(error.value)
    assert "HUAWEICLOUD_SDK_SK" in str(error.value)
    assert "get_securitykey" not in operations(emulator)


def test_keys_refused_before_our_clock_says_they_expire_are_renewed_once(
    emulator: Emulator, tmp_path: Path
) -> None:
    environ = {ENV_METADATA_URL: emulator.base_url}
    settings = ChainSettings(project_id=PROJECT)
    with new_session() as session:
        creds = resolve_credentials(environ, tmp_path, settings, session)  # the wall clock
        assert isinstance(creds, AgencyCredentials)
        with MetaStudioClient.connect(emulator.base_url, creds) as client:
            emulator.advance_clock(7 * 3600)  # expired for the service, not for our clock
            assert client.list_jobs().count == 0
            assert creds.refreshes == 1 and operations(emulator)["get_securitykey"] == 2
            emulator.config.agency = False  # no new keys to be had: the refusal stands
            emulator.advance_clock(7 * 3600)
            with pytest.raises(MetaStudioError, match="expired"):
                client.list_jobs()
            assert operations(emulator)["list_jobs"] == 3
