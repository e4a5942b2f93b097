"""Which deletes a destroy or replace plans for the trained asset, and what the plan says."""

from __future__ import annotations

import dataclasses

import pytest

from reconciler.plan.inputs import Observed
from reconciler.plan.model import Action, Step
from reconciler.plan.steps import ALLOWED
from reconciler.state import VoiceRecord
from tests.plan.test_planner import job, only, record, seen, state, want

DELETE_BOTH = (Step.DELETE_ASSET, Step.DELETE_JOB)
FRESH = (Step.CREATE, Step.UPLOAD, Step.SUBMIT)


def with_asset(keep: bool = False) -> VoiceRecord:
    return dataclasses.replace(record(), asset_id="asset-1", keep_asset=keep)


@pytest.mark.parametrize(
    ("recorded", "observed"),
    [
        (dataclasses.replace(record(), asset_id="asset-1"), None),  # as recorded, no refresh
        (record(), seen(job(asset_id="asset-1"))),  # only refresh saw it
    ],
    ids=["recorded", "refreshed"],
)
def test_destroy_deletes_the_asset_before_the_job(
    recorded: VoiceRecord, observed: Observed | None
) -> None:
    change = only(want(), state(recorded), observed, destroy=True)
    assert change.action is Action.DELETE and change.steps == DELETE_BOTH
    assert "the trained asset asset-1 will be deleted too" in change.notes


def test_replace_deletes_the_asset_before_the_job_then_makes_a_new_one() -> None:
    change = only(want(), state(with_asset()), seen(job(asset_id="asset-1")), replace=("voice.*",))
    assert change.action is Action.REPLACE and change.steps == (*DELETE_BOTH, *FRESH)


def test_no_asset_no_asset_step_and_no_note() -> None:
    change = only(want(), state(record()), seen(job()), destroy=True)
    assert change.steps == (Step.DELETE_JOB,) and not change.notes


@pytest.mark.parametrize("where", ["state", "config", "removed-voice-state"])
def test_keep_asset_counts_wherever_it_is_set(where: str) -> None:
    desired = want(keep_asset=True) if where == "config" else want()
    if where == "removed-voice-state":
        desired = {}
    change = only(desired, state(with_asset(keep=where != "config")), None, destroy=True)
    assert change.steps == (Step.DELETE_JOB,)
    assert change.notes == ("the trained asset asset-1 is kept (lifecycle.keep_asset)",)


def test_a_saved_plan_may_not_delete_an_asset_alone_or_out_of_order() -> None:
    assert DELETE_BOTH in ALLOWED[Action.DELETE]
    assert (Step.DELETE_ASSET,) not in ALLOWED[Action.DELETE]
    assert (Step.DELETE_JOB, Step.DELETE_ASSET) not in ALLOWED[Action.DELETE]
    assert (Step.DELETE_JOB, Step.DELETE_ASSET, *FRESH) not in ALLOWED[Action.REPLACE]
    assert not any(Step.DELETE_ASSET in steps for steps in ALLOWED[Action.NOOP])
