"""The project id from the region: IAM's signed GET /v3/projects?name=REGION, on the emulator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from reconciler.emulator import Emulator
from reconciler.errors import ReconcilerError
from reconciler.metastudio import (
    AkSkCredentials,
    MetaStudioClient,
    MetaStudioError,
    resolve_endpoint,
)
from reconciler.metastudio.chain import ChainSettings, resolve_credentials
from reconciler.metastudio.endpoint import resolve_iam_endpoint
from reconciler.metastudio.transport import new_session
from tests.metastudio.conftest import AK, PROJECT, SK, emulator_config, make_client
from tests.metastudio.helpers import admin

KEYS = {"HUAWEICLOUD_SDK_AK": AK, "HUAWEICLOUD_SDK_SK": SK}


def lookups(emulator: Emulator) -> int:
    return int(admin(emulator.base_url, "GET", "/stats")["operations"].get("list_projects", 0))


def resolve(
    emulator: Emulator, tmp_path: Path, environ: dict[str, str] | None = None, **settings: str
) -> AkSkCredentials:
    chosen = ChainSettings(
        region=settings.get("region", "cn-north-4"),
        project_id=settings.get("project_id"),
        iam_endpoint=emulator.base_url,
        cache_dir=tmp_path / ".reconciler",
    )
    with new_session() as session:
        creds = resolve_credentials(KEYS if environ is None else environ, tmp_path, chosen, session)
    assert isinstance(creds, AkSkCredentials)
    return creds


def test_project_is_looked_up_once_then_cached_without_secrets(
    emulator: Emulator, tmp_path: Path
) -> None:
    creds = resolve(emulator, tmp_path)
    assert creds.project_id == PROJECT and creds.access_key == AK
    assert creds.project_source == "IAM's project 'cn-north-4'"
    assert lookups(emulator) == 1
    again = resolve(emulator, tmp_path)
    assert again.project_id == PROJECT and lookups(emulator) == 1  # from the cache
    assert "cached in" in str(again.project_source)
    cache = (tmp_path / ".reconciler" / "projects.json").read_text(encoding="utf-8")
    assert PROJECT in cache and AK not in cache and SK not in cache
    # The looked-up project works against MetaStudio.
    with MetaStudioClient.connect(emulator.base_url, creds) as client:
        assert client.list_jobs().count == 0


def test_explicit_project_ids_take_precedence(emulator: Emulator, tmp_path: Path) -> None:
    assert resolve(emulator, tmp_path, project_id="from-config").project_id == "from-config"
    env = {**KEYS, "HUAWEICLOUD_SDK_PROJECT_ID": "from-env"}
    assert resolve(emulator, tmp_path, env).project_id == "from-env"
    assert resolve(emulator, tmp_path, env, project_id="cfg").project_id == "cfg"
    assert lookups(emulator) == 0


def test_no_project_of_that_name_is_one_clear_line(emulator: Emulator, tmp_path: Path) -> None:
    with pytest.raises(ReconcilerError) as error:
        resolve(emulator, tmp_path, region="cn-east-3")
    message = str(error.value)
    assert "lists no project named 'cn-east-3'" in message and "provider.project_id" in message
    assert "\n" not in message
    assert not (tmp_path / ".reconciler" / "projects.json").exists()


def test_several_projects_of_that_name_are_refused(tmp_path: Path) -> None:
    config = emulator_config(tmp_path / "emu", iam_projects=[("second-project", "cn-north-4")])
    with Emulator(config) as emulator:
        with pytest.raises(ReconcilerError) as error:
            resolve(emulator, tmp_path)
    message = str(error.value)
    assert "lists 2 projects named 'cn-north-4'" in message
    assert PROJECT in message and "second-project" in message
    assert "set provider.project_id" in message


def test_iam_checks_the_signature_like_metastudio(emulator: Emulator, tmp_path: Path) -> None:
    with pytest.raises(MetaStudioError) as error:
        resolve(emulator, tmp_path, {"HUAWEICLOUD_SDK_AK": AK, "HUAWEICLOUD_SDK_SK": "wrong"})
    message = str(error.value)
    assert message.startswith("IAM list_projects failed: HTTP 401 APIGW.0301")
    assert "wrong" not in message
    unsigned = requests.get(f"{emulator.base_url}/v3/projects?name=cn-north-4", timeout=5)
    assert unsigned.status_code == 401 and unsigned.headers.get("X-IAM-Trace-Id")
    assert lookups(emulator) == 2


def test_a_project_metastudio_refuses_says_so_and_how_to_find_the_right_one(
    emulator: Emulator,
) -> None:
    wrong = AkSkCredentials(AK, SK, "0123456789abcdef", project_source="provider.project_id")
    with make_client(emulator.base_url) as client:
        client.transport.credentials = wrong
        with pytest.raises(MetaStudioError) as error:
            client.list_jobs()
    message = str(error.value)
    assert "MSS.00010009" in message
    assert "MetaStudio refuses project id 0123456789abcdef (from provider.project_id)" in message
    assert "My Credentials > API Credentials" in message and "provider.region" in message


def test_regions_metastudio_does_not_serve_are_refused_unless_an_endpoint_is_given() -> None:
    with pytest.raises(ReconcilerError, match="not offered in region 'eu-west-0'"):
        resolve_endpoint(region="eu-west-0")
    assert resolve_endpoint(region="eu-west-0", endpoint="https://ms.example.com") == (
        "https://ms.example.com"
    )
    assert resolve_endpoint(region="ap-southeast-3").endswith("ap-southeast-3.myhuaweicloud.com")
    assert resolve_iam_endpoint("cn-east-3") == "https://iam.cn-east-3.myhuaweicloud.com"
    assert resolve_iam_endpoint("cn-east-3", "http://127.0.0.1:9/") == "http://127.0.0.1:9"
    with pytest.raises(ReconcilerError, match=r"refusing IAM endpoint http://iam\.example\.com"):
        resolve_iam_endpoint("cn-east-3", "http://iam.example.com")


def test_cache_is_keyed_by_region_endpoint_and_key(emulator: Emulator, tmp_path: Path) -> None:
    resolve(emulator, tmp_path)
    cache = tmp_path / ".reconciler" / "projects.json"
    entries = json.loads(cache.read_text(encoding="utf-8"))["projects"]
    [key] = entries
    assert key.startswith("cn-north-4 127.0.0.1:") and " ak-" in key
    # Another key pair may be another account: looked up again, not taken from the cache
    # (the emulator does not know this key, so IAM refuses it).
    with pytest.raises(MetaStudioError):
        resolve(emulator, tmp_path, {"HUAWEICLOUD_SDK_AK": "OTHERAK", "HUAWEICLOUD_SDK_SK": SK})
    assert lookups(emulator) == 2


def test_the_sdk_variable_or_the_profile_moves_the_lookup(
    emulator: Emulator, tmp_path: Path
) -> None:
    settings = ChainSettings(region="cn-north-4")
    environ = {**KEYS, "HUAWEICLOUD_SDK_IAM_ENDPOINT": emulator.base_url}
    with new_session() as session:
        assert resolve_credentials(environ, tmp_path, settings, session).project_id == PROJECT
        profile = tmp_path / ".huaweicloud" / "credentials"
        profile.parent.mkdir()
        profile.write_text(f"[basic]\nak = {AK}\nsk = {SK}\niam_endpoint = {emulator.base_url}\n")
        assert resolve_credentials({}, tmp_path, settings, session).project_id == PROJECT
    assert lookups(emulator) == 2  # no cache_dir: nothing cached
