"""UpdateDigitalAsset (PUT /digital-assets/{asset_id}): only the fields sent change, checked
as strictly as the SDK's UpdateDigitalAssetRequestBody documents them."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.emulator import Emulator
from tests.emulator.helpers import OTHER_TOKEN, Api

LONG_AGO = 1_700_000_000  # the seeded asset's create and update time


def seeded(emu: Emulator, api: Api, *names: str) -> list[dict[str, Any]]:
    """One trained voice's asset per name, made long ago."""
    emu.seed_jobs(
        [
            {"voice_name": name, "state": "SUCCEED", "description": "old", "create_time": LONG_AGO}
            for name in names
        ]
    )
    assets = api.ok("GET", "digital-assets")["assets"]
    return sorted(assets, key=lambda a: names.index(a["asset_name"]))


def put(api: Api, asset_id: str, body: Any) -> Any:
    return api.call("PUT", f"digital-assets/{asset_id}", body=body)


def refused(api: Api, asset_id: str, body: Any, code: str = "MSS.00000003") -> str:
    before = api.ok("GET", f"digital-assets/{asset_id}")
    response = put(api, asset_id, body)
    assert response.status_code == 400, response.text
    assert response.json()["error_code"] == code, response.text
    assert api.ok("GET", f"digital-assets/{asset_id}") == before  # nothing changed
    return str(response.json()["error_msg"])


def test_only_the_fields_sent_change(emu: Emulator, api: Api) -> None:
    (asset,) = seeded(emu, api, "gentle")
    assert asset["asset_description"] == "old"
    answer = put(api, asset["asset_id"], {"asset_description": "bright"})
    assert answer.status_code == 200, answer.text
    shown = api.ok("GET", f"digital-assets/{asset['asset_id']}")
    assert answer.json() == shown
    assert shown["asset_description"] == "bright"
    assert shown["update_time"] > asset["update_time"] == asset["create_time"]
    unchanged = {k: v for k, v in asset.items() if k not in ("asset_description", "update_time")}
    assert {k: shown[k] for k in unchanged} == unchanged

    renamed = api.ok("PUT", f"digital-assets/{asset['asset_id']}", body={"asset_name": "Soft"})
    assert (renamed["asset_name"], renamed["asset_description"]) == ("Soft", "bright")
    tagged = api.ok("PUT", f"digital-assets/{asset['asset_id']}", body={"tags": ["NEWS", "新闻"]})
    assert tagged["tags"] == ["NEWS", "新闻"] and tagged["asset_name"] == "Soft"
    assert emu.stats()["operations"]["update_asset"] == 3


def test_deactivating_makes_the_voice_unusable(emu: Emulator, api: Api) -> None:
    (asset,) = seeded(emu, api, "gentle")
    asset_id = asset["asset_id"]
    put(api, asset_id, {"asset_state": "UNACTIVED"})
    check = api.call("POST", f"ttsc/check-voice-asset/{asset_id}")
    assert check.status_code == 400 and "UNACTIVED" in check.text
    assert api.ok("PUT", f"digital-assets/{asset_id}", body={"asset_state": "ACTIVED"})
    assert api.call("POST", f"ttsc/check-voice-asset/{asset_id}").status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"asset_name": 7}, "asset_name"),
        ({"asset_name": "x" * 257}, "asset_name"),
        ({"asset_description": ["a"]}, "asset_description"),
        ({"asset_description": "x" * 4097}, "asset_description"),
        ({"tags": "NEWS"}, "tags"),
        ({"tags": ["NEWS", 1]}, "tags"),
        ({"tags": [str(i) for i in range(51)]}, "tags"),
        ({"tags": ["x" * 129]}, "tags"),
        ({"asset_state": "DELETED"}, "asset_state"),
        ({"asset_type": "VIDEO"}, "asset_type"),
        ({"asset_order": "1"}, "asset_order"),
        ({"asset_order": True}, "asset_order"),
        ({"review_config": []}, "review_config"),
        ({"system_properties": {}}, "system_properties"),
        ({"shared_config": {"x": 1}}, "shared_config"),  # documented, not kept here
        ({"voice_name": "Soft"}, "voice_name"),  # the job's field, not the asset's
        ({"asset_description": "ok", "colour": "red"}, "colour"),
    ],
)
def test_a_bad_field_is_refused_and_nothing_changes(
    emu: Emulator, api: Api, body: dict[str, Any], field: str
) -> None:
    (asset,) = seeded(emu, api, "gentle")
    assert field in refused(api, asset["asset_id"], body)


def test_the_longest_documented_values_are_taken(emu: Emulator, api: Api) -> None:
    (asset,) = seeded(emu, api, "gentle")
    body = {
        "asset_name": "名" * 256,
        "asset_description": "x" * 4096,
        "tags": ["t" * 128] * 50,
        "asset_type": "VOICE_MODEL",  # unchanged: allowed
    }
    shown = api.ok("PUT", f"digital-assets/{asset['asset_id']}", body=body)
    assert shown["asset_name"] == "名" * 256 and len(shown["tags"]) == 50


def test_a_body_that_is_no_json_object_is_refused(emu: Emulator, api: Api) -> None:
    (asset,) = seeded(emu, api, "gentle")
    assert refused(api, asset["asset_id"], ["asset_name"], code="MSS.00000002")
    response = api.call("PUT", f"digital-assets/{asset['asset_id']}")
    assert response.status_code == 400 and response.json()["error_code"] == "MSS.00000002"


def test_a_name_another_live_asset_holds_is_refused(emu: Emulator, api: Api) -> None:
    first, second = seeded(emu, api, "gentle", "bright")
    message = refused(api, second["asset_id"], {"asset_name": "gentle"}, code="MSS.10001005")
    assert "gentle" in message
    # Its own name is no clash; a name held only in the recycle bin is free.
    assert api.ok("PUT", f"digital-assets/{second['asset_id']}", body={"asset_name": "bright"})
    assert api.call("DELETE", f"digital-assets/{first['asset_id']}").status_code == 200
    renamed = api.ok("PUT", f"digital-assets/{second['asset_id']}", body={"asset_name": "gentle"})
    assert renamed["asset_name"] == "gentle"


def test_an_asset_in_the_recycle_bin_or_unknown_is_not_found(emu: Emulator, api: Api) -> None:
    (asset,) = seeded(emu, api, "gentle")
    assert api.call("DELETE", f"digital-assets/{asset['asset_id']}").status_code == 200
    refused(api, asset["asset_id"], {"asset_description": "new"}, code="MSS.10001001")
    response = put(api, "no-such-asset", {"asset_description": "new"})
    assert (response.status_code, response.json()["error_code"]) == (400, "MSS.10001001")


def test_another_projects_asset_is_not_found(emu: Emulator, api: Api) -> None:
    (asset,) = seeded(emu, api, "gentle")
    other = api.call(
        "PUT",
        f"digital-assets/{asset['asset_id']}",
        body={"asset_description": "theirs"},
        sign=False,
        headers={"X-Auth-Token": OTHER_TOKEN},
        project="11111111111111111111111111111111",
    )
    assert other.status_code == 400 and other.json()["error_code"] == "MSS.10001001"
    assert api.ok("GET", f"digital-assets/{asset['asset_id']}")["asset_description"] == "old"
