"""The asset library's recycle bin: a deleted asset waits there 7 days, then is purged.

A delete without ``mode=force`` sets asset_state DELETED and keeps, on the stored record only
(never shown: api_assets shows the SDK's fields), when it was deleted and the state it had,
so that a restore (``POST /digital-assets/{asset_id}/restore``, the SDK's RestoreAsset) gives
that state back. The window is the console guide's 7 days [doc: console guide; the API page
gives no figure], counted by the emulator's clock (``Core.now``, which tests move forward).
Purging is lazy: every asset operation first drops what expired, so an expired asset is gone
from listings and shows and cannot be restored, exactly as if a sweeper had run.
"""

from __future__ import annotations

from typing import Any

from reconciler.emulator.core import Core
from reconciler.emulator.errors import ASSET_NAME_EXISTS, ApiError, asset_not_found
from reconciler.emulator.wire import Request, Response, json_response
from reconciler.timestamps import rfc3339

DELETED = "DELETED"
WINDOW_SECONDS = 7 * 24 * 3600.0
# Kept on the stored record, left out of every answer.
DELETED_AT = "deleted_at"
STATE_BEFORE = "state_before_delete"


def bin_asset(core: Core, asset: dict[str, Any]) -> None:
    """Move ``asset`` to the recycle bin; callers hold the lock and save."""
    now = core.now()
    asset[STATE_BEFORE] = asset["asset_state"]
    asset[DELETED_AT] = now
    asset["asset_state"] = DELETED
    asset["update_time"] = rfc3339(now)


def purge_expired(core: Core) -> None:
    """Drop every asset deleted more than the window ago; callers hold the lock."""
    cutoff = core.now() - WINDOW_SECONDS
    expired = [
        asset_id
        for asset_id, asset in core.store.assets.items()
        if asset["asset_state"] == DELETED and float(asset.get(DELETED_AT, cutoff)) < cutoff
    ]
    for asset_id in expired:
        del core.store.assets[asset_id]
    if expired:
        core.store.save_assets()


def restore_asset(core: Core, request: Request) -> Response:
    """Bring an asset back from the bin to the state it had; a live asset, an unknown or a
    purged one is refused, and so is one whose name a live asset now holds."""
    asset_id = request.params["asset_id"]
    with core.lock:
        purge_expired(core)
        asset = core.store.assets.get(asset_id)
        if asset is None or asset["project_id"] != request.project_id:
            raise asset_not_found(asset_id)
        if asset["asset_state"] != DELETED:
            raise ApiError(
                400,
                "MSS.00000003",
                f"Invalid parameter: asset_id {asset_id!r} is {asset['asset_state']}, "
                "not in the recycle bin",
            )
        if core.name_holder(asset["project_id"], asset["asset_name"], besides=asset["asset_id"]):
            name = asset["asset_name"]
            raise ApiError(400, ASSET_NAME_EXISTS, f"asset name already exists: {name}")
        asset["asset_state"] = asset.pop(STATE_BEFORE, "ACTIVED")
        asset.pop(DELETED_AT, None)
        asset["update_time"] = rfc3339(core.now())
        core.store.save_assets()
    return json_response({})
