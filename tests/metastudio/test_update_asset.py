"""The client's UpdateDigitalAsset: only the fields given are sent, and only those change."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from reconciler.emulator import Emulator
from reconciler.metastudio import MetaStudioClient, MetaStudioError
from tests.metastudio.conftest import PROJECT
from tests.metastudio.helpers import stats


def seeded(emulator: Emulator, *names: str) -> list[str]:
    emulator.seed_jobs(
        [
            {"voice_name": name, "state": "SUCCEED", "description": "old", "project_id": PROJECT}
            for name in names
        ]
    )
    by_name = {job["voice_name"]: str(job["asset_id"]) for job in emulator.jobs()}
    return [by_name[name] for name in names]


def sent_bodies(client: MetaStudioClient) -> list[Any]:
    """The JSON bodies the client's session puts on the wire, as it sends them."""
    bodies: list[Any] = []

    def seen(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        if response.request.method == "PUT":
            bodies.append(json.loads(response.request.body or b"null"))

    client.transport.session.hooks["response"].append(seen)
    return bodies


def test_only_the_given_fields_are_sent_and_changed(
    client: MetaStudioClient, emulator: Emulator
) -> None:
    (asset_id,) = seeded(emulator, "gentle")
    bodies = sent_bodies(client)
    updated = client.update_asset(asset_id, asset_description="bright")
    assert (updated.asset_id, updated.asset_name) == (asset_id, "gentle")
    assert updated.raw["asset_description"] == "bright"
    renamed = client.update_asset(asset_id, asset_name="Soft", tags=["NEWS"])
    assert renamed.asset_name == "Soft" and renamed.raw["asset_description"] == "bright"
    cleared = client.update_asset(asset_id, asset_description="")
    assert cleared.raw["asset_description"] == "" and cleared.raw["tags"] == ["NEWS"]
    assert bodies == [
        {"asset_description": "bright"},
        {"asset_name": "Soft", "tags": ["NEWS"]},
        {"asset_description": ""},
    ]
    assert stats(emulator.base_url)["update_asset"] == 3


def test_a_name_held_by_another_live_asset_is_refused(
    client: MetaStudioClient, emulator: Emulator
) -> None:
    first, second = seeded(emulator, "gentle", "bright")
    with pytest.raises(MetaStudioError) as refused:
        client.update_asset(second, asset_name="gentle")
    assert (refused.value.status, refused.value.error_code) == (400, "MSS.10001005")
    assert client.show_asset(second).asset_name == "bright"
    client.delete_asset(first)
    with pytest.raises(MetaStudioError) as gone:
        client.update_asset(first, asset_description="new")
    assert (gone.value.status, gone.value.error_code) == (400, "MSS.10001001")
