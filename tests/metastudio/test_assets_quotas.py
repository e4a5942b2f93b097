"""Quotas (op 15), check-voice-asset (op 22) and delete-asset (op 25) against the emulator.

Each over real loopback HTTP with the paths and field names of huaweicloudsdkmetastudio
3.1.219 (read from its metastudio_client.py and models).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from reconciler.apply.assets import delete_voice_asset
from reconciler.emulator import Emulator, Tenant
from reconciler.metastudio import JobState, MetaStudioClient, MetaStudioError
from tests.metastudio.conftest import PROJECT, emulator_config, make_client
from tests.metastudio.helpers import admin, advance_until, sentence_zip, stats

# ResourceAvailableNums.attribute_map, ShowVoiceTrainingQuotasResponse and
# VoiceTrainingResource of the SDK.
SDK_AVAILABLE = {"flexus", "basic", "middle", "middle_on_demand", "advance", "third_party_cmww"}
SDK_RESOURCE = {
    "operation_type",
    "resource_source",
    "asset_id",
    "resource_id",
    "resource_nums",
    "resource_available_nums",
    "resource_type",
    "status",
}
# CheckVoiceAssetResponse of the SDK, files aside.
SDK_CHECK = {
    "asset_id",
    "asset_name",
    "asset_type",
    "asset_state",
    "create_time",
    "update_time",
    "asset_extra_meta",
}
BODY = {"voice_name": "gentle", "sex": "FEMALE", "language": "CN", "create_type": "PACKAGE"}


@pytest.fixture
def tight(tmp_path: Path) -> Iterator[Emulator]:
    tenant = Tenant.from_dict(
        {
            "durations": {"basic_min": 0},
            "quotas": {"basic": 2, "middle": 1, "advance": 1, "third_party_cmww": 0},
        }
    )
    config = emulator_config(tmp_path / "emulator", tenant=tenant)
    with Emulator(config, host="127.0.0.1", port=0) as emulator:
        yield emulator


def _uploaded(client: MetaStudioClient, tmp_path: Path, name: str = "gentle") -> str:
    created = client.create_job("BASIC", {**BODY, "voice_name": name})
    assert created.uploads.package is not None
    client.upload(created.uploads.package, sentence_zip(tmp_path / f"{name}.zip", 20), "package")
    return created.job_id


def _raw(base_url: str, method: str, path: str) -> requests.Response:
    """The emulator accepts a token: enough to see the wire body without the client."""
    from tests.metastudio.conftest import TOKEN

    url = f"{base_url}/v1/{PROJECT}/{path}"
    return requests.request(method, url, headers={"X-Auth-Token": TOKEN}, timeout=10)


def test_quotas_use_the_sdk_path_and_field_names(tight: Emulator) -> None:
    response = _raw(tight.base_url, "GET", "voice-training-manage/quotas")
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"count", "resource_available_nums", "resources"}
    assert set(body["resource_available_nums"]) == SDK_AVAILABLE
    assert body["resource_available_nums"]["basic"] == 2
    assert body["resource_available_nums"]["third_party_cmww"] == 0
    assert all(set(r) == SDK_RESOURCE for r in body["resources"])
    # Not under /user, unlike the other voice-training operations.
    assert _raw(tight.base_url, "GET", "voice-training-manage/user/quotas").status_code == 400


def test_submit_consumes_one_resource_and_fails_when_none_is_left(
    tight: Emulator, tmp_path: Path
) -> None:
    with make_client(tight.base_url) as client:
        assert client.show_voice_training_quotas().available["basic"] == 2
        first, second, third = (_uploaded(client, tmp_path, n) for n in ("a", "b", "c"))
        assert client.show_voice_training_quotas().available["basic"] == 2  # create: free
        client.submit_job(first)
        client.submit_job(second)
        quotas = client.show_voice_training_quotas()
        assert quotas.available["basic"] == 0
        assert quotas.available["middle"] == 1  # other editions untouched
        basic = next(r for r in quotas.resources if r.resource_type == "BASIC")
        assert (basic.resource_nums, basic.resource_available_nums) == (2, 0)
        with pytest.raises(MetaStudioError) as refused:
            client.submit_job(third)
        assert refused.value.status == 400
        assert "no basic voice-training resource left" in str(refused.value)
        assert client.show_job(third).state == JobState.CREATING  # nothing changed
        assert stats(tight.base_url)["show_voice_training_quotas"] == 3


def test_rejected_job_resubmits_on_its_resource_and_frees_it_when_deleted(
    tight: Emulator, tmp_path: Path
) -> None:
    with make_client(tight.base_url) as client:
        job_id = _uploaded(client, tmp_path)
        client.submit_job(job_id)
        admin(tight.base_url, "POST", f"/jobs/{job_id}/fail", {"state": "AUDIT_FAILED"})
        assert client.show_voice_training_quotas().available["basic"] == 1  # still held
        client.submit_job(job_id)  # resubmit: no second consumption
        assert client.show_voice_training_quotas().available["basic"] == 1
        admin(tight.base_url, "POST", f"/jobs/{job_id}/fail", {"state": "AUDIT_FAILED"})
        client.delete_job(job_id)
        assert client.show_voice_training_quotas().available["basic"] == 2  # reusable


def test_trained_and_failed_jobs_never_give_their_resource_back(
    tight: Emulator, tmp_path: Path
) -> None:
    with make_client(tight.base_url) as client:
        trained, failed = _uploaded(client, tmp_path, "a"), _uploaded(client, tmp_path, "b")
        client.submit_job(trained)
        client.submit_job(failed)
        advance_until(tight.base_url, trained, JobState.SUCCEED)
        admin(tight.base_url, "POST", f"/jobs/{failed}/fail", {"state": "FAILED"})
        client.delete_job(trained)
        client.delete_job(failed)
        assert client.show_voice_training_quotas().available["basic"] == 0


def test_consumption_survives_a_restart(tmp_path: Path) -> None:
    tenant = Tenant.from_dict({"durations": {"basic_min": 0}, "quotas": {"basic": 1}})
    config = emulator_config(tmp_path / "emulator", tenant=tenant)
    with Emulator(config, host="127.0.0.1", port=0) as emulator:
        with make_client(emulator.base_url) as client:
            client.submit_job(_uploaded(client, tmp_path))
    with Emulator(config, host="127.0.0.1", port=0) as emulator:
        with make_client(emulator.base_url) as client:
            assert client.show_voice_training_quotas().available["basic"] == 0


def test_without_quotas_the_tenant_has_plenty(client: MetaStudioClient) -> None:
    available = client.show_voice_training_quotas().available
    assert set(available) == SDK_AVAILABLE
    assert all(n is not None and n >= 100 for n in available.values())


def _trained_asset(client: MetaStudioClient, emulator: Emulator, tmp_path: Path) -> str:
    job_id = _uploaded(client, tmp_path)
    client.submit_job(job_id)
    advance_until(emulator.base_url, job_id, JobState.SUCCEED)
    asset_id = client.show_job(job_id).asset_id
    assert asset_id
    return asset_id


def test_check_voice_asset_returns_the_asset_of_a_trained_job(
    client: MetaStudioClient, emulator: Emulator, tmp_path: Path
) -> None:
    asset_id = _trained_asset(client, emulator, tmp_path)
    asset = client.check_voice_asset(asset_id)
    assert (asset.asset_id, asset.asset_name) == (asset_id, "gentle")
    assert (asset.asset_type, asset.asset_state) == ("VOICE_MODEL", "ACTIVED")
    assert asset.raw["asset_extra_meta"]["voice_model_meta"]["sex"] == "FEMALE"
    assert asset.raw["files"] == []
    # Only the SDK's CheckVoiceAssetResponse fields: no description, no producing job.
    assert set(asset.raw) == {*SDK_CHECK, "files"}
    assert set(asset.raw["asset_extra_meta"]["voice_model_meta"]) == {"sex", "language"}
    assert stats(emulator.base_url)["check_voice_asset"] == 1
    response = _raw(emulator.base_url, "GET", f"ttsc/check-voice-asset/{asset_id}")
    assert response.json()["error_code"] == "MSS.00010004"  # POST only, as in the SDK


def test_deleted_asset_leaves_listings_and_fails_the_check(
    client: MetaStudioClient, emulator: Emulator, tmp_path: Path
) -> None:
    asset_id = _trained_asset(client, emulator, tmp_path)
    client.delete_asset(asset_id)
    assert asset_id not in [a.asset_id for a in client.list_assets().assets]
    assert client.list_assets(asset_id=[asset_id]).count == 0
    # The recycle bin still holds it until a forced delete.
    binned = client.list_assets(asset_state=["DELETED"]).assets
    assert [a.asset_id for a in binned] == [asset_id]
    with pytest.raises(MetaStudioError) as gone:
        client.check_voice_asset(asset_id)
    assert (gone.value.status, gone.value.error_code) == (400, "MSS.10001001")
    with pytest.raises(MetaStudioError):
        client.delete_asset(asset_id)  # already deleted
    client.delete_asset(asset_id, force=True)
    assert client.list_assets(asset_state=["DELETED"]).count == 0


def test_restore_asset_brings_it_back_within_the_window_only(
    client: MetaStudioClient, emulator: Emulator, tmp_path: Path
) -> None:
    asset_id = _trained_asset(client, emulator, tmp_path)
    client.delete_asset(asset_id)
    client.restore_asset(asset_id)
    assert client.show_asset(asset_id).asset_state == "ACTIVED"
    assert client.check_voice_asset(asset_id).asset_id == asset_id
    with pytest.raises(MetaStudioError) as live:
        client.restore_asset(asset_id)  # not in the bin
    assert (live.value.status, live.value.error_code) == (400, "MSS.00000003")
    client.delete_asset(asset_id)
    emulator.advance_clock(8 * 24 * 3600)
    with pytest.raises(MetaStudioError) as purged:
        client.restore_asset(asset_id)
    assert (purged.value.status, purged.value.error_code) == (400, "MSS.10001001")
    assert client.list_assets(asset_state=["DELETED", "ACTIVED"]).count == 0
    assert stats(emulator.base_url)["restore_asset"] == 3


def test_delete_asset_sends_the_sdk_mode_parameter(
    client: MetaStudioClient, emulator: Emulator, tmp_path: Path
) -> None:
    asset_id = _trained_asset(client, emulator, tmp_path)
    refused = _raw(emulator.base_url, "DELETE", f"digital-assets/{asset_id}?mode=hard")
    assert refused.json()["error_code"] == "MSS.00000003"
    forced = _raw(emulator.base_url, "DELETE", f"digital-assets/{asset_id}?mode=force")
    assert forced.status_code == 200
    assert client.list_assets(asset_state=["DELETED", "ACTIVED"]).count == 0


def test_delete_voice_asset_treats_already_gone_as_done(
    client: MetaStudioClient, emulator: Emulator, tmp_path: Path
) -> None:
    asset_id = _trained_asset(client, emulator, tmp_path)
    assert delete_voice_asset(client, asset_id) is True
    assert client.list_assets(asset_id=[asset_id]).count == 0
    assert delete_voice_asset(client, asset_id) is False  # a repeated step: done already
    assert delete_voice_asset(client, "never-existed") is False


def test_delete_voice_asset_raises_when_the_service_fails(
    client: MetaStudioClient, emulator: Emulator, tmp_path: Path
) -> None:
    asset_id = _trained_asset(client, emulator, tmp_path)
    admin(emulator.base_url, "PUT", "/faults", {"delete_asset": {"error_500": 1.0}})
    with pytest.raises(MetaStudioError) as failed:
        delete_voice_asset(client, asset_id)
    assert failed.value.status == 500
    admin(emulator.base_url, "PUT", "/faults", {})
    assert client.list_assets(asset_id=[asset_id]).count == 1  # not taken for gone
