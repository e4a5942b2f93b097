"""Deleting the trained voice's asset, the step after deleting its job (destroy, replace).

The asset library is separate from training: deleting a job leaves its asset behind, and a
later model published under the same voice_name is refused (MSS.10001005, "asset name
already exists"). So the asset goes too, unless ``lifecycle.keep_asset`` says otherwise.
"""

from __future__ import annotations

from reconciler.metastudio import MetaStudioClient, MetaStudioError


def delete_voice_asset(client: MetaStudioClient, asset_id: str) -> bool:
    """Delete the asset; True if this call deleted it, False if it was already gone.

    Safe to repeat (a retried step after a crash): the service answers 400 for an asset that
    no longer exists, but also for other faults, so only a filtered listing that comes back
    empty proves it gone. Without ``mode=force`` the asset goes to the recycle bin, where
    the console can still restore it; the listing leaves binned assets out.
    """
    try:
        client.delete_asset(asset_id)
    except MetaStudioError as error:
        if error.status != 400 or client.list_assets(asset_id=[asset_id], limit=1).count:
            raise
        return False
    return True
