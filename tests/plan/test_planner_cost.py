"""The planner's work per voice must not grow with the catalogue.

Counted, never timed: every identifier the planner could search by (voice names, job ids,
voice_names, job states) is a string that counts how often it is hashed or compared. An
indexed lookup costs a few such operations per voice whatever the size; a scan of the
observed jobs or of the state for each voice costs one per job, so per-voice work grows 4x
when the catalogue does. Sorting (which only uses ``<``) is not counted: it is n log n by
design.
"""

from __future__ import annotations

from typing import Any

from reconciler.plan.inputs import DesiredVoice, Observed, ObservedJob
from reconciler.plan.model import Action
from reconciler.plan.planner import PlanOptions, make_plan
from reconciler.state import State, VoiceRecord
from tests.plan.test_planner import LINEAGE, T0, spec


class Work:
    operations = 0


class Counted(str):
    """A str whose hashing and equality tests are counted in ``Work.operations``."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        Work.operations += 1
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        Work.operations += 1
        return str.__ne__(self, other)

    def __hash__(self) -> int:
        Work.operations += 1
        return str.__hash__(self)


def _record(name: str, *, job_id: str | None, create_attempt: Any = None) -> VoiceRecord:
    recorded = spec(voice_name=Counted(f"Voice {name}"))
    recorded.pop("data_digest")
    recorded.pop("prevent_destroy")
    return VoiceRecord(
        name=Counted(name),
        edition="basic",
        job_type="BASIC",
        phase="submitted" if job_id else None,
        created_at=T0,
        updated_at=T0,
        job_id=Counted(job_id) if job_id else None,
        spec=recorded,
        data_digest="sha256:aaa",
        remote_state=Counted("SUCCEED") if job_id else None,
        create_attempt=create_attempt,
    )


def _job(job_id: str, voice_name: str, create_time: int = 0) -> ObservedJob:
    return ObservedJob(
        job_id=Counted(job_id),
        voice_name=Counted(voice_name),
        state=Counted("SUCCEED"),
        create_time=create_time,
    )


def catalogue(n: int) -> tuple[dict[str, DesiredVoice], State, Observed]:
    """``n`` voices of every kind the planner treats differently, a quarter each: trained
    and up to date (every other one with an orphan job under its voice_name), new, removed
    from the configuration, and created by an interrupted attempt whose job refresh found."""
    desired: dict[str, DesiredVoice] = {}
    records: dict[str, VoiceRecord] = {}
    jobs: list[ObservedJob] = []
    for i in range(n):
        name, voice_name = f"v{i:06d}", f"Voice v{i:06d}"
        kind = i % 4
        if kind != 2:
            desired[Counted(name)] = DesiredVoice(
                Counted(name), spec(voice_name=Counted(voice_name))
            )
        if kind in (0, 2):
            records[Counted(name)] = _record(name, job_id=f"job-{name}")
            jobs.append(_job(f"job-{name}", voice_name))
            if kind == 0 and i % 8 == 0:
                jobs.append(_job(f"orphan-{name}", voice_name, create_time=1))
        elif kind == 3:
            attempt = {"started_at": T0, "voice_name": voice_name}
            records[Counted(name)] = _record(name, job_id=None, create_attempt=attempt)
            jobs.append(_job(f"lost-{name}", voice_name, create_time=1_900_000_000))
    state = State(lineage=LINEAGE, voices=records)
    asked = [r.job_id for r in records.values() if r.job_id]
    observed = Observed.from_jobs(jobs, asked=asked, complete=True)
    return desired, state, observed


def work_per_voice(n: int) -> float:
    desired, state, observed = catalogue(n)
    Work.operations = 0
    plan = make_plan(desired, state, observed, PlanOptions())
    operations = Work.operations
    actions = {change.action for change in plan.changes}
    assert actions == {Action.NOOP, Action.CREATE, Action.DELETE, Action.RESUME}, actions
    assert sum("no voice records" in " ".join(c.notes) for c in plan.changes) == n // 8
    return operations / n


def test_planner_work_per_voice_does_not_grow_with_the_catalogue() -> None:
    small, large = work_per_voice(400), work_per_voice(1_600)
    assert small > 0  # the counting strings are really in play
    assert large <= small * 1.1, (small, large)
