"""A job adopted without its training data (`import --all`): no digest is recorded. Once it
is submitted, the configuration's data is taken as the job's (recorded by a sync step), never
paid for with a replace; where new data costs nothing, it is sent."""

from __future__ import annotations

import dataclasses

import pytest

from reconciler.plan.model import Action, Reason, Step
from reconciler.plan.planner import PlanOptions, make_plan
from reconciler.plan.sync import sync_changes
from reconciler.state import VoiceRecord
from tests.plan.test_planner import job, record, seen, state, want


def adopted(phase: str, remote_state: str) -> VoiceRecord:
    return dataclasses.replace(record(phase=phase, remote_state=remote_state), data_digest=None)


@pytest.mark.parametrize("remote_state", ["SUCCEED", "PROCESSING"])
def test_a_submitted_job_takes_the_configured_data_and_records_it(remote_state: str) -> None:
    rec = adopted("submitted", remote_state)
    plan = make_plan(want(), state(rec), seen(job(state_=remote_state)), PlanOptions())
    [change] = plan.changes
    assert (change.action, change.reason, change.changes) == (Action.NOOP, Reason.UP_TO_DATE, ())
    assert change.steps == (Step.SYNC,)
    assert sync_changes(rec, want()["gentle"].spec, change.remote)["data_digest"] == "sha256:aaa"


def test_other_changes_still_count() -> None:
    rec = adopted("submitted", "SUCCEED")
    plan = make_plan(want(sex="MALE"), state(rec), seen(job()), PlanOptions())
    assert plan.changes[0].action is Action.REPLACE
    assert [c.path for c in plan.changes[0].changes] == ["sex"]


def test_a_rejected_job_is_resubmitted_with_the_configured_data() -> None:
    rec = adopted("submitted", "AUDIT_FAILED")
    plan = make_plan(want(), state(rec), seen(job(state_="AUDIT_FAILED")), PlanOptions())
    change = plan.changes[0]
    assert (change.action, change.reason) == (Action.UPDATE, Reason.RESUBMIT)
    assert change.steps == (Step.UPLOAD, Step.SUBMIT)


def test_an_unsubmitted_job_gets_the_configured_data_uploaded() -> None:
    rec = adopted("created", "CREATING")
    plan = make_plan(want(), state(rec), seen(job(state_="CREATING")), PlanOptions())
    assert plan.changes[0].action is Action.UPDATE
    assert plan.changes[0].steps == (Step.UPLOAD, Step.SUBMIT)
