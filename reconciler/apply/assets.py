"""Deleting the trained voice's asset, the step after deleting its job (destroy, replace).

The asset library is separate from training: deleting a job leaves its asset behind, and a
later model published under the same voice_name is refused (MSS.10001005, "asset name
already exists"). So the asset goes too, unless ``lifecycle.keep_asset`` says otherwise.
"""

from __future__ import annotations

from reconciler.metastudio import MetaStudioClient, MetaStudioError


def delete_voice_asset(client: MetaStudioClient, asset_id: str) -> bool:
    """Delete the asset; True if this call deleted it, False if it was already gone.

    Safe to repeat (a retried step after a crash): an asset already gone is done, as
    ``asset_is_gone`` judges it. Without ``mode=force`` the asset goes to the recycle bin,
    where the console can still restore it.
    """
    try:
        client.delete_asset(asset_id)
    except MetaStudioError as error:
        if not client.asset_is_gone(asset_id, error):
            raise
        return False
    return True
