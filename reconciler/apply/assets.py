"""Deleting the trained voice's asset, the step after deleting its job (destroy, replace).

The asset library is separate from training: deleting a job leaves its asset behind, and a
later model published under the same voice_name is refused (MSS.10001005, "asset name
already exists"). So the asset goes too, unless ``lifecycle.keep_asset`` says otherwise.
"""

from __future__ import annotations

from reconciler.metastudio import MetaStudioClient, MetaStudioError
from reconciler.state import VoiceRecord
from reconciler.state.binned import DeletedAsset


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


def deleted_record(record: VoiceRecord, asset_id: str, now: str) -> DeletedAsset:
    """What the state keeps of an asset this run moved to the recycle bin: enough to offer
    a restore to a voice created again with the same voice_name and data, nothing more."""
    voice_name = record.spec.get("voice_name")
    return DeletedAsset(
        asset_id=asset_id,
        voice_name=voice_name if isinstance(voice_name, str) else "",
        data_digest=record.data_digest,
        deleted_at=now,
        address=record.address,
        edition=record.edition,
        job_type=record.job_type,
        spec=record.spec,
    )


def restored_already(client: MetaStudioClient, asset_id: str) -> bool:
    """Whether the asset is live again (out of the recycle bin)."""
    try:
        return client.show_asset(asset_id).asset_state not in (None, "DELETED")
    except MetaStudioError:
        return False
