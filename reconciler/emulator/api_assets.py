"""Asset library (op 25): where a trained voice model lands; and the TTS check of one (op 22).

Deleting without ``mode=force`` moves the asset to the recycle bin, as the service does: it
keeps its record with asset_state DELETED, leaves the listings (unless DELETED is asked for
by ``asset_state``) and fails the voice check. ``mode=force`` removes it outright.
"""

from __future__ import annotations

from typing import Any

from reconciler.emulator import params
from reconciler.emulator.core import Core
from reconciler.emulator.errors import asset_not_found, invalid_parameter
from reconciler.emulator.wire import Request, Response, json_response
from reconciler.timestamps import rfc3339

DELETED = "DELETED"
USABLE = "ACTIVED"


def public(asset: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in asset.items() if key != "project_id"}


def list_assets(core: Core, request: Request) -> Response:
    offset = params.int_param(request, "offset", 0, 0, 2147483647)
    limit = params.int_param(request, "limit", 10, 1, 100)
    types = params.list_param(request, "asset_type")
    states = params.list_param(request, "asset_state")
    ids = params.list_param(request, "asset_id")
    name = (request.query_one("name") or "").lower()
    with core.lock:
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
        asset = _asset(core, request)
        if mode == "force":
            del core.store.assets[asset["asset_id"]]
        elif asset["asset_state"] == DELETED:
            raise asset_not_found(asset["asset_id"])  # already in the recycle bin
        else:
            asset["asset_state"] = DELETED
            asset["update_time"] = rfc3339(core.now())
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
        body = {key: value for key, value in public(asset).items() if key != "tags"}
        return json_response({**body, "files": []})
