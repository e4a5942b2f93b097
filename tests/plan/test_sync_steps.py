"""A no-op gets a sync step exactly when apply has something to record for it."""

from __future__ import annotations

import dataclasses

import pytest

from reconciler.plan.inputs import DesiredVoice, ObservedJob
from reconciler.plan.model import Action, Step
from reconciler.plan.sync import sync_changes
from reconciler.state import VoiceRecord
from tests.plan.test_planner import job, only, record, seen, state, want

TRAINED = dataclasses.replace(record(), asset_id="asset-1")


def test_a_voice_with_nothing_new_has_no_step() -> None:
    change = only(want(), state(TRAINED), seen(job(asset_id="asset-1")))
    assert (change.action, change.steps) == (Action.NOOP, ())


def test_without_a_refresh_only_local_settings_count() -> None:
    assert only(want(), state(TRAINED), None).steps == ()
    assert only(want(prevent_destroy=True), state(TRAINED), None).steps == (Step.SYNC,)


@pytest.mark.parametrize(
    ("desired", "recorded", "observed", "recorded_as"),
    [
        (want(), TRAINED, job(asset_id="asset-2"), {"asset_id": "asset-2"}),
        (want(), record(remote_state="PROCESSING"), job(), {"remote_state": "SUCCEED"}),
        (want(prevent_destroy=True), TRAINED, job(asset_id="asset-1"), {"prevent_destroy": True}),
        (want(keep_asset=True), TRAINED, job(asset_id="asset-1"), {"keep_asset": True}),
        (want(preview_text="Hello"), TRAINED, job(asset_id="asset-1"), {"spec": "Hello"}),
    ],
    ids=["new asset", "state reached", "prevent_destroy", "keep_asset", "preview_text"],
)
def test_a_voice_with_something_to_record_syncs_exactly_that(
    desired: dict[str, DesiredVoice],
    recorded: VoiceRecord,
    observed: ObservedJob,
    recorded_as: dict[str, object],
) -> None:
    change = only(desired, state(recorded), seen(observed))
    assert (change.action, change.steps) == (Action.NOOP, (Step.SYNC,))
    found = sync_changes(recorded, desired["gentle"].spec, change.remote)
    if "spec" in found:
        found["spec"] = found["spec"]["preview_text"]
    assert {k: v for k, v in found.items() if k in recorded_as} == recorded_as
