"""No paid job is planned whose model could not be published: its voice_name is taken.

An asset name is unique among a tenant's live assets, and a trained model is published under
its job's voice_name; while a live asset holds that name the model is refused after training
(MSS.10001005), and the training resource it consumed is spent for nothing. So a plan that
would create a job (a create or a replace) is refused while the asset library has a live
asset of its voice_name that the same change does not delete first. A trained voice renamed in
place (UpdateDigitalAsset) is refused likewise when another live asset holds the new name:
the service would refuse the rename at apply.
"""

from __future__ import annotations

from collections.abc import Mapping

from reconciler.plan.model import Action, Plan, ResourceChange, Step
from reconciler.plan.renames import HINT_START, rename_entry
from reconciler.plan.steps import asset_of
from reconciler.state.model import State


def creates_a_job(change: ResourceChange) -> bool:
    """A new job, paid for: not an interrupted create's job that is adopted instead."""
    return Step.CREATE in change.steps and change.adopt_job_id is None


def renames_in_place(change: ResourceChange) -> bool:
    """A trained model's asset takes the change's new voice_name."""
    return Step.UPDATE_ASSET in change.steps and any(c.path == "voice_name" for c in change.changes)


def published_names(plan: Plan) -> dict[str, str]:
    """Voice name -> the voice whose new job would publish a model under it, or whose asset
    would be renamed to it."""
    return {
        str(change.after["voice_name"]): change.name
        for change in plan.changes
        if (creates_a_job(change) or renames_in_place(change))
        and change.after
        and change.after.get("voice_name")
    }


def name_clashes(plan: Plan, state: State, live: Mapping[str, tuple[str, ...]]) -> list[str]:
    """One problem per new job whose voice_name a live asset (``live``: name -> asset IDs)
    holds, unless the change deletes that very asset before it creates."""
    problems = []
    # A destroyed voice's asset the new job would clash with: most likely a renamed key.
    renamed = {
        asset_id: c
        for c in plan.changes
        if c.action is Action.DELETE
        and (asset_id := asset_of(c, state.voices.get(c.name))) is not None
    }
    for change in plan.changes:
        if renames_in_place(change) and change.after:
            problems += _rename_clash(change, state, live)
        if not creates_a_job(change) or not change.after:
            continue
        voice_name = str(change.after.get("voice_name", ""))
        record = state.voices.get(change.name)
        freed = asset_of(change, record) if Step.DELETE_ASSET in change.steps else None
        for asset_id in live.get(voice_name, ()):
            if asset_id != freed:
                own = record is not None and record.asset_id == asset_id
                problem = _problem(change, voice_name, asset_id, own=own)
                if asset_id in renamed:
                    problem = _rename_problem(change, renamed[asset_id], voice_name)
                problems.append(problem)
                break
    return problems


def _rename_clash(
    change: ResourceChange, state: State, live: Mapping[str, tuple[str, ...]]
) -> list[str]:
    voice_name = str((change.after or {}).get("voice_name", ""))
    own = asset_of(change, state.voices.get(change.name))
    holders = [asset_id for asset_id in live.get(voice_name, ()) if asset_id != own]
    if not holders:
        return []
    return [
        f"{change.address}: the asset library already has a live asset {holders[0]} named "
        f"{voice_name!r}, so its trained asset {own} cannot be renamed to it (MSS.10001005); "
        "delete or rename that asset, or choose another voice_name"
    ]


def _rename_problem(change: ResourceChange, gone: ResourceChange, voice_name: str) -> str:
    return (
        f"{change.address}: {HINT_START} of {gone.address}, whose trained asset holds voice_name "
        f"{voice_name!r}: add `{rename_entry(gone.address, change.address)}` to the YAML to "
        "keep its job and model; deleting it and training again would spend a training "
        "resource (and the new model could not be published under that name meanwhile)"
    )


def _problem(change: ResourceChange, voice_name: str, asset_id: str, *, own: bool) -> str:
    where = change.address
    clash = (
        f"a new model could not be published under voice_name {voice_name!r} (MSS.10001005) "
        "and its training resource would be spent for nothing"
    )
    if own:
        return (
            f"{where}: its trained asset {asset_id} is kept and still holds the name, so {clash}; "
            "rename that asset in the MetaStudio asset library, set lifecycle.keep_asset: false "
            "(and prevent_destroy: false) so that apply deletes it first, or choose another "
            "voice_name"
        )
    return (
        f"{where}: the asset library already has a live asset {asset_id} named {voice_name!r}, "
        f"so {clash}; import the voice that trained it (`reconciler import {where} JOB_ID`), "
        "delete or rename that asset, or choose another voice_name"
    )
