"""`moved` and `removed` entries in the pure planner: which records move, which are forgotten."""

from __future__ import annotations

import pytest

from reconciler.plan.model import Action, Reason, Step
from reconciler.plan.moves import Move, resolve_moves
from reconciler.plan.planner import PlanError, PlanOptions, make_plan
from reconciler.state import State, VoiceRecord
from tests.plan.test_planner import LINEAGE, T0, record, want

MOVE = Move("old", "new", "voices.yaml:9:11: moved[0].from", "voices.yaml:10:9: moved[0].to")


def test_a_move_gives_the_record_its_new_address_and_keeps_everything_else() -> None:
    state = State(lineage=LINEAGE, serial=7, voices={"old": record("old", job_id="job-9")})
    moved = resolve_moves([MOVE], state, configured={"new"})
    assert moved.previous == {"new": "old"} and set(moved.state.voices) == {"new"}
    new = moved.state.voices["new"]
    assert (new.name, new.address, new.job_id) == ("new", "voice.new", "job-9")
    assert (moved.state.serial, moved.state.lineage) == (7, LINEAGE)
    plan = make_plan(want("new"), moved.state, None, PlanOptions(previous=moved.previous))
    (change,) = plan.changes
    assert change.action is Action.NOOP and change.previous_address == "voice.old"
    assert change.steps == (Step.MOVE,) and plan.summary.move == 1 and plan.has_changes


@pytest.mark.parametrize(
    ("voices", "configured"),
    [({"new": record("new")}, set()), ({}, {"new"})],
    ids=["already applied", "new state"],
)
def test_an_entry_with_nothing_to_move_is_harmless(
    voices: dict[str, VoiceRecord], configured: set[str]
) -> None:
    state = State(lineage=LINEAGE, voices=voices)
    moved = resolve_moves([MOVE], state, configured)
    assert moved.previous == {} and moved.state is state


def test_an_entry_unknown_to_both_state_and_config_is_located() -> None:
    with pytest.raises(PlanError) as raised:
        resolve_moves([MOVE], State(lineage=LINEAGE), configured=set())
    assert raised.value.problems == [
        "voices.yaml:9:11: moved[0].from: neither voice.old nor voice.new is in the state or the "
        "configuration: the entry moves nothing; check both addresses"
    ]


def test_a_move_to_an_address_not_configured_is_located_at_its_to() -> None:
    state = State(lineage=LINEAGE, voices={"old": record("old")})
    with pytest.raises(PlanError) as raised:
        resolve_moves([MOVE], state, configured={"newer"})
    (problem,) = raised.value.problems
    assert problem.startswith("voices.yaml:10:9: moved[0].to: voice.new is not under voices")


def test_a_move_onto_a_recorded_voice_is_located_at_its_to() -> None:
    voices = {"old": record("old"), "new": record("new", job_id="job-2")}
    with pytest.raises(PlanError) as raised:
        resolve_moves([MOVE], State(lineage=LINEAGE, voices=voices), configured={"new"})
    (problem,) = raised.value.problems
    assert problem.startswith("voices.yaml:10:9: moved[0].to: voice.new is already in the state")
    assert "(job job-2)" in problem


@pytest.mark.parametrize(
    ("targets", "planned"),
    [(("voice.old",), True), (("voice.new",), True), (("voice.other",), False)],
)
def test_a_move_is_in_scope_when_either_address_is_targeted(
    targets: tuple[str, ...], planned: bool
) -> None:
    voices = {"old": record("old"), "other": record("other", voice_name="Other")}
    moved = resolve_moves([MOVE], State(lineage=LINEAGE, voices=voices), configured={"new"})
    desired = {**want("new"), **want("other", voice_name="Other")}
    options = PlanOptions(targets=targets, previous=moved.previous)
    plan = make_plan(desired, moved.state, None, options)
    assert ("new" in [c.name for c in plan.changes]) is planned


def test_a_removed_entry_forgets_even_in_a_destroy_plan() -> None:
    state = State(lineage=LINEAGE, voices={"gone": record("gone")})
    for destroy in (False, True):
        options = PlanOptions(removed={"gone": False}, destroy=destroy)
        (change,) = make_plan({}, state, None, options).changes
        assert (change.action, change.reason) == (Action.FORGET, Reason.REMOVED_ENTRY)
        assert change.steps == (Step.FORGET,)
        assert "job job-1 stays in MetaStudio" in change.notes[0]


def test_a_removed_entry_with_destroy_deletes_with_the_guard() -> None:
    state = State(lineage=LINEAGE, voices={"gone": record("gone", prevent_destroy=True)})
    with pytest.raises(PlanError, match="prevent_destroy forbids destroying it"):
        make_plan({}, state, None, PlanOptions(removed={"gone": True}))


def test_a_removed_entry_for_an_interrupted_create_is_refused() -> None:
    attempt = {"started_at": T0, "voice_name": "Gentle"}
    pending = record("gone", job_id=None, phase=None, create_attempt=attempt)
    state = State(lineage=LINEAGE, voices={"gone": pending})
    with pytest.raises(PlanError, match=r"voice\.gone has no job ID"):
        make_plan({}, state, None, PlanOptions(removed={"gone": False}))


@pytest.mark.parametrize(
    ("key", "new_spec"),
    [("voice_name", {"data_digest": "sha256:bbb"}), ("data_digest", {"voice_name": "Other"})],
)
def test_a_destroy_and_a_create_alike_are_hinted_as_a_rename(
    key: str, new_spec: dict[str, str]
) -> None:
    state = State(lineage=LINEAGE, voices={"old": record("old")})
    plan = make_plan(want("new", **new_spec), state, None, PlanOptions())
    hint = (
        f"this looks like a rename (voice.old and voice.new have the same {key}): to keep the "
        "job and its training, add `moved: [{from: voice.old, to: voice.new}]` to the YAML"
    )
    assert [c.notes[-1] for c in plan.changes] == [hint, hint]


def test_unlike_voices_get_no_rename_hint() -> None:
    state = State(lineage=LINEAGE, voices={"old": record("old")})
    desired = want("new", voice_name="Other", data_digest="sha256:bbb")
    plan = make_plan(desired, state, None, PlanOptions())
    assert not any("rename" in note for c in plan.changes for note in c.notes)
