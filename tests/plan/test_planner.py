"""Planner table tests: every action and edge of DESIGN.md's semantics."""

from __future__ import annotations

from typing import Any

import pytest

from reconciler.plan.inputs import DesiredVoice, Observed, ObservedJob
from reconciler.plan.model import Action, Reason
from reconciler.plan.planner import PlanError, PlanOptions, make_plan
from reconciler.state import State, VoiceRecord

LINEAGE = "0b5f2d3e-8c1a-4f7e-9d2b-6a1c3e5f7a9b"
T0 = "2026-11-01T00:00:00Z"


def spec(**overrides: Any) -> dict[str, Any]:
    base = {
        "edition": "basic",
        "create_type": "PACKAGE",
        "voice_name": "Gentle",
        "sex": "FEMALE",
        "data_digest": "sha256:aaa",
        "prevent_destroy": False,
    }
    return {**base, **overrides}


def want(name: str = "gentle", **overrides: Any) -> dict[str, DesiredVoice]:
    return {name: DesiredVoice(name, spec(**overrides))}


def record(
    name: str = "gentle",
    *,
    job_id: str | None = "job-1",
    phase: str | None = "submitted",
    remote_state: str | None = "SUCCEED",
    prevent_destroy: bool = False,
    create_attempt: dict[str, Any] | None = None,
    **spec_overrides: Any,
) -> VoiceRecord:
    recorded = spec(**spec_overrides)
    digest = recorded.pop("data_digest")
    recorded.pop("prevent_destroy")
    return VoiceRecord(
        name=name,
        edition=recorded["edition"],
        job_type="BASIC",
        phase=phase,  # type: ignore[arg-type]
        created_at=T0,
        updated_at=T0,
        job_id=job_id,
        spec=recorded,
        data_digest=digest,
        remote_state=remote_state,
        prevent_destroy=prevent_destroy,
        create_attempt=create_attempt,
    )


def state(*records: VoiceRecord) -> State:
    return State(lineage=LINEAGE, serial=7, voices={r.name: r for r in records})


def seen(
    *jobs: ObservedJob, asked: tuple[str, ...] = ("job-1",), complete: bool = True
) -> Observed:
    return Observed.from_jobs(jobs, asked=asked, complete=complete)


def job(
    job_id: str = "job-1", state_: str = "SUCCEED", voice_name: str = "Gentle", **kw: Any
) -> ObservedJob:
    return ObservedJob(job_id=job_id, voice_name=voice_name, state=state_, **kw)


def only(
    desired: dict[str, DesiredVoice], st: State, observed: Observed | None, **options: Any
) -> Any:
    plan = make_plan(desired, st, observed, PlanOptions(**options))
    assert len(plan.changes) == 1, plan.changes
    return plan.changes[0]


CASES = [
    # (id, desired, state, observed, action, reason)
    ("new voice", want(), state(), seen(asked=()), Action.CREATE, Reason.NEW),
    ("up to date", want(), state(record()), seen(job()), Action.NOOP, Reason.UP_TO_DATE),
    (
        "created, not uploaded",
        want(),
        state(record(phase="created", remote_state="CREATING")),
        seen(job(state_="CREATING")),
        Action.RESUME,
        Reason.UNFINISHED,
    ),
    (
        "uploaded, not submitted",
        want(),
        state(record(phase="uploaded", remote_state="CREATING")),
        seen(job(state_="CREATING")),
        Action.RESUME,
        Reason.UNFINISHED,
    ),
    (
        "changed before submission",
        want(voice_name="New"),
        state(record(phase="uploaded", remote_state="CREATING")),
        seen(job(state_="CREATING")),
        Action.UPDATE,
        Reason.CHANGED,
    ),
    (
        "new data before submission",
        want(data_digest="sha256:bbb"),
        state(record(phase="created", remote_state="CREATING")),
        seen(job(state_="CREATING")),
        Action.UPDATE,
        Reason.CHANGED,
    ),
    (
        "edition change before submission",
        want(edition="advanced"),
        state(record(phase="created", remote_state="CREATING")),
        seen(job(state_="CREATING")),
        Action.REPLACE,
        Reason.ATTRIBUTES,
    ),
    (
        "changed after submission",
        want(voice_name="Gentler"),
        state(record()),
        seen(job()),
        Action.REPLACE,
        Reason.ATTRIBUTES,
    ),
    (
        "data changed after submission",
        want(data_digest="sha256:bbb"),
        state(record()),
        seen(job()),
        Action.REPLACE,
        Reason.ATTRIBUTES,
    ),
    (
        "audit failed, new data",
        want(data_digest="sha256:bbb"),
        state(record(remote_state="AUDIT_FAILED")),
        seen(job(state_="AUDIT_FAILED")),
        Action.UPDATE,
        Reason.RESUBMIT,
    ),
    (
        "audit failed, same data",
        want(),
        state(record(remote_state="AUDIT_FAILED")),
        seen(job(state_="AUDIT_FAILED", audit_errors=("3.wav: too long",))),
        Action.NOOP,
        Reason.AUDIT_FAILED,
    ),
    (
        "training failed",
        want(),
        state(record()),
        seen(job(state_="FAILED", failed_reason="noise")),
        Action.REPLACE,
        Reason.TAINTED,
    ),
    ("vanished job", want(), state(record()), seen(), Action.CREATE, Reason.DRIFT),
    ("removed from config", {}, state(record()), seen(job()), Action.DELETE, Reason.REMOVED),
    (
        "still training",
        want(),
        state(record(remote_state="PROCESSING")),
        seen(job(state_="PROCESSING")),
        Action.NOOP,
        Reason.UP_TO_DATE,
    ),
    (
        "submitted out of band (state says uploaded)",
        want(),
        state(record(phase="uploaded", remote_state="CREATING")),
        seen(job(state_="SYSTEM_AUDITING")),
        Action.NOOP,
        Reason.UP_TO_DATE,
    ),
    (
        "no refresh: recorded state used",
        want(),
        state(record(remote_state="AUDIT_FAILED")),
        None,
        Action.NOOP,
        Reason.AUDIT_FAILED,
    ),
    (
        "lifecycle-only change",
        want(prevent_destroy=True),
        state(record()),
        seen(job()),
        Action.NOOP,
        Reason.UP_TO_DATE,
    ),
]


@pytest.mark.parametrize(
    ("desired", "st", "observed", "action", "reason"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_actions(
    desired: dict[str, DesiredVoice],
    st: State,
    observed: Observed | None,
    action: Action,
    reason: Reason,
) -> None:
    change = only(desired, st, observed)
    assert (change.action, change.reason) == (action, reason)


def test_replace_marks_the_forcing_attributes() -> None:
    change = only(want(voice_name="Gentler", description="x"), state(record()), seen(job()))
    assert change.replace_paths == ["description", "voice_name"]
    assert {c.path: (c.before, c.after) for c in change.changes}["voice_name"] == (
        "Gentle",
        "Gentler",
    )
    shape = only(
        want(edition="advanced", voice_name="Other"),
        state(record(phase="created", remote_state="CREATING")),
        seen(job(state_="CREATING")),
    )
    assert shape.replace_paths == ["edition"]  # voice_name alone could go in the submit body


def test_audit_failed_shows_review_errors() -> None:
    change = only(
        want(),
        state(record(remote_state="AUDIT_FAILED")),
        seen(job(state_="AUDIT_FAILED", audit_errors=("3.wav: over 15 s",))),
    )
    assert change.remote.audit_errors == ("3.wav: over 15 s",)
    assert any("change the training data" in n for n in change.notes)


def test_forced_replace() -> None:
    change = only(want(), state(record()), seen(job()), replace=("voice.gentle",))
    assert (change.action, change.reason) == (Action.REPLACE, Reason.FORCED)


def test_prevent_destroy_from_config_blocks_replace_and_from_state_blocks_delete() -> None:
    with pytest.raises(PlanError, match="prevent_destroy forbids replacing"):
        make_plan(
            want(voice_name="X", prevent_destroy=True),
            state(record(prevent_destroy=True)),
            seen(job()),
            PlanOptions(),
        )
    # the YAML block is gone, but the state remembers the guard
    with pytest.raises(
        PlanError, match=r"voice\.gentle: lifecycle\.prevent_destroy forbids destroying"
    ):
        make_plan({}, state(record(prevent_destroy=True)), seen(job()), PlanOptions())
    with pytest.raises(PlanError):
        make_plan(
            want(), state(record(prevent_destroy=True)), seen(job()), PlanOptions(destroy=True)
        )


def test_duplicate_voice_name_points_at_import() -> None:
    stranger = job(job_id="stranger-9", state_="SUCCEED")
    with pytest.raises(PlanError) as error:
        make_plan(want(), state(), seen(stranger, asked=()), PlanOptions())
    assert "reconciler import voice.gentle stranger-9" in str(error.value)
    # without refresh the guard cannot look; apply checks again before creating
    assert make_plan(want(), state(), None, PlanOptions()).changes[0].action is Action.CREATE


def test_two_voices_with_one_voice_name_is_an_error() -> None:
    desired = {**want("a"), **want("b")}
    with pytest.raises(PlanError, match="both use voice_name 'Gentle'"):
        make_plan(desired, state(), seen(asked=()), PlanOptions())


def test_interrupted_create_adopts_the_job_it_made() -> None:
    attempt = {"started_at": T0, "voice_name": "Gentle"}
    rec = record(job_id=None, phase=None, remote_state=None, create_attempt=attempt)
    made = job(job_id="made-by-attempt", state_="CREATING", create_time=1793491200)
    change = only(want(), state(rec), Observed.from_jobs([made], names_checked=["Gentle"]))
    assert (change.action, change.reason, change.adopt_job_id) == (
        Action.RESUME,
        Reason.ADOPT,
        "made-by-attempt",
    )
    none_found = only(want(), state(rec), Observed.from_jobs([], names_checked=["Gentle"]))
    assert (none_found.action, none_found.reason) == (Action.CREATE, Reason.RECOVER_CREATE)
    unrefreshed = only(want(), state(rec), None)
    assert unrefreshed.reason is Reason.RECOVER_CREATE and unrefreshed.notes
    # A job older than the attempt is not its job: adopting it silently would be wrong, and
    # creating beside it a second job; the plan refuses and names the import command.
    older = job(job_id="made-before", state_="SUCCEED", create_time=1793491200 - 601)
    with pytest.raises(PlanError, match=r"`reconciler import voice\.gentle made-before`"):
        only(want(), state(rec), Observed.from_jobs([older], names_checked=["Gentle"]))


def test_removing_an_interrupted_create_names_the_job_apply_will_delete() -> None:
    attempt = {"started_at": T0, "voice_name": "Gentle"}
    rec = record(job_id=None, phase=None, remote_state=None, create_attempt=attempt)
    since = 1793491200 - 600  # T0 less the clock-skew margin
    made = job(job_id="made-by-attempt", state_="CREATING", create_time=since + 1)
    older = job(job_id="made-before", state_="SUCCEED", create_time=since - 1)
    for destroy in (False, True):  # removed from the config, or --destroy
        observed = Observed.from_jobs([older, made], names_checked=["Gentle"])
        change = only({} if not destroy else want(), state(rec), observed, destroy=destroy)
        assert change.action is Action.DELETE and change.remote.job_id == "made-by-attempt"
        assert "job made-by-attempt, made by an interrupted create, will be deleted" in (
            change.notes
        )
        # Older than the attempt: not its job, so never planned for deletion.
        assert not any("made-before" in note and "deleted" in note for note in change.notes)
    none_made = only({}, state(rec), Observed.from_jobs([older], names_checked=["Gentle"]))
    assert none_made.remote.job_id is None
    assert none_made.notes == (
        "the interrupted create left no job behind; only the state record is removed",
    )
    unrefreshed = only({}, state(rec), None)
    assert "apply looks for the job it may have made and deletes it" in unrefreshed.notes[0]


def test_targets_with_globs_and_unknown_target() -> None:
    desired = {
        **want("news-a", voice_name="A"),
        **want("news-b", voice_name="B"),
        **want("story", voice_name="C"),
    }
    plan = make_plan(desired, state(), seen(asked=()), PlanOptions(targets=("voice.news-*",)))
    assert [c.address for c in plan.changes] == ["voice.news-a", "voice.news-b"]
    with pytest.raises(PlanError, match=r"--target voice\.nope: matches no voice"):
        make_plan(desired, state(), seen(asked=()), PlanOptions(targets=("voice.nope",)))


def test_destroy_plans_every_recorded_voice() -> None:
    plan = make_plan(want(), state(record()), seen(job()), PlanOptions(destroy=True))
    assert [(c.action, c.reason) for c in plan.changes] == [(Action.DELETE, Reason.DESTROY)]
    assert plan.destroy and plan.summary.destroy == 1


def test_plan_carries_serial_lineage_and_summary() -> None:
    plan = make_plan(
        {**want("a", voice_name="A"), **want("b", voice_name="B")},
        state(record("b", voice_name="B")),
        seen(job(voice_name="B")),
        PlanOptions(config_digest="sha256:cfg"),
    )
    assert (plan.state_serial, plan.state_lineage, plan.config_digest) == (7, LINEAGE, "sha256:cfg")
    assert plan.summary.line() == "Plan: 1 to create, 0 to update, 0 to replace, 0 to destroy."
    assert plan.refreshed and plan.has_changes


def test_unknown_remote_state_is_left_alone() -> None:
    change = only(want(), state(record()), seen(job(state_="PAUSED_NEW")))
    assert change.action is Action.NOOP and "PAUSED_NEW" in change.notes[0]


def test_an_orphan_job_with_a_recorded_voices_name_is_pointed_out() -> None:
    orphan = job(job_id="orphan-7", state_="CREATING")
    change = only(want(), state(record()), seen(job(), orphan))
    assert change.action is Action.NOOP
    assert any("orphan-7" in note and "no voice records" in note for note in change.notes)
    # a targeted refresh that did not list the name says nothing it cannot know
    targeted = Observed.from_jobs([job(), orphan], asked=("job-1",))
    assert not only(want(), state(record()), targeted).notes
