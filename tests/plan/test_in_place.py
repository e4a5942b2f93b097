"""A trained voice's name and description change in place on its asset; the rest replaces."""

from __future__ import annotations

import dataclasses

import pytest

from reconciler.plan.in_place import asset_body, in_place_paths, update_call
from reconciler.plan.inputs import Observed
from reconciler.plan.model import Action, Reason, Step
from reconciler.plan.steps import ALLOWED
from reconciler.state import VoiceRecord
from tests.plan.test_planner import job, only, record, seen, state, want

TRAINED = dataclasses.replace(record(description="soft"), asset_id="asset-1")


@pytest.mark.parametrize(
    ("recorded", "observed"),
    [
        (TRAINED, seen(job(asset_id="asset-1"))),
        (TRAINED, None),  # --refresh=false: as recorded
        (record(description="soft"), seen(job(asset_id="asset-1"))),  # only refresh saw it
    ],
    ids=["recorded", "not-refreshed", "seen-by-refresh"],
)
def test_a_description_edit_on_a_trained_voice_updates_its_asset(
    recorded: VoiceRecord, observed: Observed | None
) -> None:
    change = only(want(description="bright"), state(recorded), observed)
    assert (change.action, change.reason) == (Action.UPDATE, Reason.IN_PLACE)
    assert change.steps == (Step.UPDATE_ASSET,) and change.steps in ALLOWED[Action.UPDATE]
    assert change.replace_paths == []
    assert update_call(change) == "UpdateDigitalAsset: asset_description"
    assert asset_body(in_place_paths(change), change.after) == {"asset_description": "bright"}


def test_a_rename_and_a_removed_description_change_both_fields() -> None:
    change = only(want(voice_name="Hush", prevent_destroy=True), state(TRAINED), seen(job()))
    assert change.steps == (Step.UPDATE_ASSET,)
    assert in_place_paths(change) == ["voice_name", "description"]
    body = asset_body(in_place_paths(change), change.after)
    assert body == {"asset_name": "Hush", "asset_description": ""}  # cleared, not left
    assert update_call(change) == "UpdateDigitalAsset: asset_name, asset_description"


def test_a_change_mixing_in_another_attribute_still_replaces() -> None:
    change = only(want(description="bright", sex="MALE"), state(TRAINED), seen(job()))
    assert (change.action, change.reason) == (Action.REPLACE, Reason.ATTRIBUTES)
    assert change.replace_paths == ["sex"]  # the description alone would not force it
    assert Step.UPDATE_ASSET not in change.steps


@pytest.mark.parametrize("remote_state", ["SYSTEM_AUDITING", "PROCESSING", "FAILED"])
def test_before_training_a_description_edit_replaces_as_before(remote_state: str) -> None:
    submitted = record(description="soft", remote_state=remote_state)
    change = only(want(description="bright"), state(submitted), seen(job(state_=remote_state)))
    assert change.action is Action.REPLACE and Step.UPDATE_ASSET not in change.steps


def test_before_submission_the_submit_body_carries_it_as_before() -> None:
    unsubmitted = record(description="soft", phase="uploaded", remote_state="CREATING")
    change = only(want(description="bright"), state(unsubmitted), seen(job(state_="CREATING")))
    assert (change.action, change.reason) == (Action.UPDATE, Reason.CHANGED)
    assert change.steps == (Step.MARK_UPLOADED, Step.SUBMIT)


def test_replace_by_request_wins_over_an_in_place_update() -> None:
    change = only(want(description="bright"), state(TRAINED), seen(job()), replace=("voice.*",))
    assert change.action is Action.REPLACE
