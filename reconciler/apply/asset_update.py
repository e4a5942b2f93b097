"""The in-place update of a trained voice (Step.UPDATE_ASSET): its asset takes the changed
name or description (UpdateDigitalAsset), the job is kept, and the new spec is recorded.

Repeating it after a kill between the call and the checkpoint sets the same fields again,
which changes nothing more.
"""

from __future__ import annotations

from reconciler.apply.context import ApplyContext
from reconciler.errors import ReconcilerError
from reconciler.metastudio import MetaStudioError
from reconciler.plan.in_place import asset_body, in_place_paths, update_call
from reconciler.plan.inputs import DesiredVoice, record_fields, record_spec
from reconciler.plan.model import ResourceChange

ASSET_NOT_FOUND = "MSS.10001001"
NAME_TAKEN = "MSS.10001005"


def update_voice_asset(ctx: ApplyContext, change: ResourceChange, desired: DesiredVoice) -> None:
    where = change.address
    record = ctx.checkpoint.record(change.name)
    asset_id = (record.asset_id if record is not None else None) or change.remote.asset_id
    if record is None or asset_id is None:
        raise ReconcilerError(f"{where}: no trained asset recorded to update in place")
    body = asset_body(in_place_paths(change), desired.spec)
    ctx.reporter.step(where, f"updating asset {asset_id} in place ({update_call(change)})")
    try:
        ctx.client.update_asset(asset_id, **body)
    except MetaStudioError as error:
        raise _explained(where, asset_id, body, error) from None
    observed = {"remote_state": change.remote.state} if change.remote.refreshed else {}
    ctx.checkpoint.update(
        change.name,
        spec=record_spec(desired.spec),
        **record_fields(desired.spec),
        asset_id=asset_id,
        **observed,
    )


def _explained(
    where: str, asset_id: str, body: dict[str, object], error: MetaStudioError
) -> ReconcilerError:
    if error.error_code == ASSET_NOT_FOUND:
        return ReconcilerError(
            f"{where}: the trained asset {asset_id} is no longer in the asset library: {error}",
            hint=f"restore it in the MetaStudio console, or replace the voice (--replace {where})",
        )
    if error.error_code == NAME_TAKEN:
        return ReconcilerError(
            f"{where}: another asset took the name {body.get('asset_name')!r}: {error}",
            hint="rename or delete that asset, or choose another voice_name",
        )
    return error
