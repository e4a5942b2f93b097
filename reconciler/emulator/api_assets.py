"""Asset library (op 25): where a trained voice model lands; and the TTS check of one (op 22).

Deleting without ``mode=force`` moves the asset to the recycle bin, as the service does: it
keeps its record with asset_state DELETED, leaves the listings (unless DELETED is asked for
by ``asset_state``) and fails the voice check, until it is restored or purged after 7 days
(recycle_bin.py). ``mode=force`` removes it outright.
"""

from __future__ import annotations

from typing import Any

from reconciler.emulator import params, recycle_bin
from reconciler.emulator.core import Core
from reconciler.emulator.errors import asset_not_found, invalid_parameter
from reconciler.emulator.wire import Request, Response, json_response

DELETED = "DELETED"
USABLE = "ACTIVED"
# What the answers may carry, as huaweicloudsdkmetastudio 3.1.219 models them (DigitalAssetInfo,
# CheckVoiceAssetResponse, VoiceModelAssetMeta / TtscVoiceModelAssetMeta). The stored record
# keeps more (its project, the job it came from) that the service never shows; the official
# SDK test (tests/sdk) fails on any answer field its models do not know.
_INFO_FIELDS = (
    "asset_id",
    "asset_name",
    "asset_description",
    "create_time",
    "update_time",
    "asset_type",
    "asset_state",
    "tags",
    "asset_extra_meta",
)
_CHECK_FIELDS = (
    "asset_id",
    "asset_name",
    "asset_type",
    "asset_state",
    "create_time",
    "update_time",
    "asset_extra_meta",
)
_VOICE_META_FIELDS = ("sex", "language", "speed_ratio", "volume_ratio", "external_voice_meta")


def _shown(asset: dict[str, Any], fields: tuple[str, ...]) -> dict[str, Any]:
    body = {key: asset[key] for key in fields if key in asset}
    meta = body.get("asset_extra_meta", {}).get("voice_model_meta")
    if isinstance(meta, dict):
        voice = {key: meta[key] for key in _VOICE_META_FIELDS if key in meta}
        body["asset_extra_meta"] = {**body["asset_extra_meta"], "voice_model_meta": voice}
    return body


def public(asset: dict[str, Any]) -> dict[str, Any]:
    return _shown(asset, _INFO_FIELDS)


def list_assets(core: Core, request: Request) -> Response:
    offset = params.int_param(request, "offset", 0, 0, 2147483647)
    limit = params.int_param(request, "limit", 10, 1, 100)
    types = params.list_param(request, "asset_type")
    states = params.list_param(request, "asset_state")
    ids = params.list_param(request, "asset_id")
    name = (request.query_one("name") or "").lower()
    with core.lock:
        recycle_bin.purge_expired(core)
        hits = [
            asset
            for asset in core.store.assets.values()
            if asset["project_id"] == request.project_id
            and (not types or asset["asset_type"] in types)
            and (asset["asset_state"] in states if states else asset["asset_state"] != DELETED)
            and (not ids or asset["asset_id"] in ids)
            and name in asset["asset_name"].lower()
        ]
    hits.sort(key=lambda a: (a["create_time"], a["asset_id"]), reverse=True)
    page = [public(asset) for asset in hits[offset : offset + limit]]
    return json_response({"count": len(hits), "assets": page})


def show_asset(core: Core, request: Request) -> Response:
    asset_id = request.params["asset_id"]
    with core.lock:
        recycle_bin.purge_expired(core)
        asset = core.store.assets.get(asset_id)
        if asset is None or asset["project_id"] != request.project_id:
            raise invalid_parameter("asset_id", f"{asset_id!r} does not exist")
        return json_response(public(asset))


def _asset(core: Core, request: Request, name: str = "asset_id") -> dict[str, Any]:
    """The project's asset named in the path; callers hold the lock."""
    asset_id = request.params[name]
    asset = core.store.assets.get(asset_id)
    if asset is None or asset["project_id"] != request.project_id:
        raise asset_not_found(asset_id)
    return asset


def delete_asset(core: Core, request: Request) -> Response:
    mode = request.query_one("mode")
    if mode not in (None, "", "force"):
        raise invalid_parameter("mode", f"{mode!r} is not one of: force")
    with core.lock:
        recycle_bin.purge_expired(core)
        asset = _asset(core, request)
        if mode == "force":
            del core.store.assets[asset["asset_id"]]
        elif asset["asset_state"] == DELETED:
            raise asset_not_found(asset["asset_id"])  # already in the recycle bin
        else:
            recycle_bin.bin_asset(core, asset)
        core.store.save_assets()
    return json_response({})


def check_voice_asset(core: Core, request: Request) -> Response:
    """A usable voice model answers with its asset info; any other gives the reason."""
    with core.lock:
        asset = _asset(core, request, "voice_asset_id")
        if asset["asset_type"] != "VOICE_MODEL":
            raise invalid_parameter("voice_asset_id", f"{asset['asset_id']!r} is not a voice model")
        if asset["asset_state"] == DELETED:
            raise asset_not_found(asset["asset_id"])
        if asset["asset_state"] != USABLE:
            raise invalid_parameter(
                "voice_asset_id", f"the voice model is {asset['asset_state']}, not usable"
            )
        return json_response({**_shown(asset, _CHECK_FIELDS), "files": []})
