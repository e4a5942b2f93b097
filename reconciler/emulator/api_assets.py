"""Asset library (op 25): where a trained voice model lands."""

from __future__ import annotations

from typing import Any

from reconciler.emulator import params
from reconciler.emulator.core import Core
from reconciler.emulator.errors import invalid_parameter
from reconciler.emulator.wire import Request, Response, json_response


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
            and (not states or asset["asset_state"] in states)
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
