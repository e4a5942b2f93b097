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
from reconciler.emulator.errors import (
    ASSET_NAME_EXISTS,
    ApiError,
    asset_not_found,
    invalid_parameter,
)
from reconciler.emulator.wire import Request, Response, json_response
from reconciler.timestamps import rfc3339

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


# -- update (UpdateDigitalAsset) ------------------------------------------------------------
# The fields of UpdateDigitalAssetRequestBody (huaweicloudsdkmetastudio 3.1.219) with their
# documented limits. The emulator keeps the name, description, tags and state of an asset; the
# model's other fields are type-checked like the service would and then refused, as the
# emulator does not keep them (a test relying on them must not pass here and fail there).
_NAME_MAX, _DESCRIPTION_MAX, _TAGS_MAX, _TAG_MAX = 256, 4096, 50, 128
_TENANT_STATES = ("ACTIVED", "UNACTIVED")  # "tenants may only activate or deactivate"
_UNKEPT_OBJECTS = ("review_config", "asset_extra_meta", "shared_config")
_UNKEPT_LISTS = ("system_properties", "supported_service", "auto_operation_config")
_UPDATE_FIELDS = frozenset(
    {
        "asset_name",
        "asset_description",
        "asset_type",
        "asset_state",
        "tags",
        "asset_order",
        *_UNKEPT_OBJECTS,
        *_UNKEPT_LISTS,
    }
)


def _text(body: dict[str, Any], name: str, longest: int) -> str | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid_parameter(name, f"must be a string, got {type(value).__name__}")
    if len(value) > longest:
        raise invalid_parameter(name, f"must be at most {longest} characters, got {len(value)}")
    return value


def _tags(body: dict[str, Any]) -> list[str] | None:
    tags = body.get("tags")
    if tags is None:
        return None
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise invalid_parameter("tags", "must be a list of strings")
    if len(tags) > _TAGS_MAX:
        raise invalid_parameter("tags", f"holds at most {_TAGS_MAX} tags, got {len(tags)}")
    if any(len(tag) > _TAG_MAX for tag in tags):
        raise invalid_parameter("tags", f"each tag must be at most {_TAG_MAX} characters")
    return tags


def _refuse_unkept(body: dict[str, Any]) -> None:
    for name in _UNKEPT_OBJECTS + _UNKEPT_LISTS:
        value = body.get(name)
        if value is None:
            continue
        wanted = dict if name in _UNKEPT_OBJECTS else list
        if not isinstance(value, wanted):
            kind = "an object" if wanted is dict else "a list"
            raise invalid_parameter(name, f"must be {kind}, got {type(value).__name__}")
        raise invalid_parameter(name, "is not supported by the emulator")
    order = body.get("asset_order")
    if order is not None:
        if type(order) is not int:
            raise invalid_parameter("asset_order", f"must be an integer, got {order!r}")
        raise invalid_parameter("asset_order", "is not supported by the emulator")


def _update_fields(body: dict[str, Any], asset: dict[str, Any]) -> dict[str, Any]:
    """What the body changes, checked: only the fields sent change."""
    unknown = sorted(set(body) - _UPDATE_FIELDS)
    if unknown:
        raise invalid_parameter(unknown[0], "is not a field of UpdateDigitalAssetRequestBody")
    _refuse_unkept(body)
    kind = _text(body, "asset_type", 64)
    if kind is not None and kind != asset["asset_type"]:
        raise invalid_parameter("asset_type", f"cannot change from {asset['asset_type']}")
    state = _text(body, "asset_state", 64)
    if state is not None and state not in _TENANT_STATES:
        raise invalid_parameter("asset_state", f"must be one of {', '.join(_TENANT_STATES)}")
    fields = {
        "asset_name": _text(body, "asset_name", _NAME_MAX),
        "asset_description": _text(body, "asset_description", _DESCRIPTION_MAX),
        "tags": _tags(body),
        "asset_state": state,
    }
    return {key: value for key, value in fields.items() if value is not None}


def update_asset(core: Core, request: Request) -> Response:
    body = params.json_body(request, required=True) or {}
    with core.lock:
        asset = _asset(core, request)
        if asset["asset_state"] == DELETED:
            raise asset_not_found(asset["asset_id"])  # in the recycle bin: restore it first
        fields = _update_fields(body, asset)
        name = fields.get("asset_name")
        if name is not None and core.name_holder(
            asset["project_id"], name, besides=asset["asset_id"]
        ):
            raise ApiError(400, ASSET_NAME_EXISTS, f"Asset name already exists: {name}")
        asset.update(fields)
        asset["update_time"] = rfc3339(core.now())
        core.store.save_assets()
        return json_response(public(asset))
