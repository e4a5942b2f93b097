"""collect() with the fewest calls, and record_observations() writing only what changed."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from reconciler.emulator import Emulator
from reconciler.metastudio import MetaStudioClient
from reconciler.operations.observations import record_observations
from reconciler.state import LocalStateBackend, LockError
from reconciler.status import collect
from tests.status.conftest import seed, state_of


def test_a_fleet_is_observed_by_listing_not_one_call_per_voice(
    emulator: Emulator, client: MetaStudioClient
) -> None:
    jobs = seed(emulator, **{f"voice{i}": "PROCESSING" for i in range(150)})
    emulator.reset_stats()
    statuses = collect(client, state_of(jobs))
    operations = emulator.stats()["operations"]
    assert operations == {"list_jobs": 2}  # 150 jobs: two pages of 100
    assert len(statuses) == 150 and {s.state for s in statuses} == {"PROCESSING"}


def test_a_few_voices_are_shown_one_by_one_with_their_audit_errors(
    emulator: Emulator, client: MetaStudioClient
) -> None:
    jobs = seed(emulator, alpha="AUDITING", beta="SUCCEED")
    # Others' jobs make listing cost 4 pages: the first says so, then 2 shows are cheaper.
    emulator.seed_jobs([{"state": "SUCCEED", "voice_name": f"Other {i}"} for i in range(350)])
    emulator.fail_job(jobs["alpha"], "AUDIT_FAILED", "the speaker changes")
    emulator.reset_stats()
    alpha, beta = collect(client, state_of(jobs))
    assert emulator.stats()["operations"] == {
        "list_jobs": 1,
        "show_job": 2,
        "show_audit_result": 1,
    }
    assert alpha.needs_user and alpha.audit_errors == ("review: the speaker changes",)
    assert beta.succeeded and beta.asset_id and beta.phase == "submitted"


def test_a_few_voices_of_a_small_tenant_are_listed_in_one_call(
    emulator: Emulator, client: MetaStudioClient
) -> None:
    jobs = seed(emulator, alpha="AUDITING", beta="SUCCEED", gamma="WAITING")
    emulator.reset_stats()
    statuses = collect(client, state_of(jobs))
    assert emulator.stats()["operations"] == {"list_jobs": 1}  # not one show per voice
    assert [s.state for s in statuses] == ["AUDITING", "SUCCEED", "WAITING"]


def test_one_voice_is_shown_without_listing(emulator: Emulator, client: MetaStudioClient) -> None:
    jobs = seed(emulator, alpha="SUCCEED")
    emulator.reset_stats()
    (alpha,) = collect(client, state_of(jobs))
    assert emulator.stats()["operations"] == {"show_job": 1}
    assert alpha.succeeded


def test_only_the_named_voices_are_collected(emulator: Emulator, client: MetaStudioClient) -> None:
    jobs = seed(emulator, alpha="WAITING", beta="WAITING")
    statuses = collect(client, state_of(jobs), ["beta", "new"])
    assert [(s.name, s.recorded, s.state) for s in statuses] == [
        ("beta", True, "WAITING"),
        ("new", False, None),
    ]


def test_observations_are_written_once_and_only_when_they_change(
    tmp_path: Path, emulator: Emulator, client: MetaStudioClient
) -> None:
    backend = LocalStateBackend(tmp_path / "state.json")
    jobs = seed(emulator, alpha="SUCCEED", beta="PROCESSING")
    backend.write(state_of(jobs))
    statuses = collect(client, backend.read())
    assert record_observations(backend, statuses, 0, clock=lambda: 1_800_000_000) == 2
    stored = backend.read()
    alpha = stored.voices["alpha"]
    assert (alpha.remote_state, alpha.asset_id) == ("SUCCEED", statuses[0].asset_id)
    assert alpha.updated_at == "2027-01-15T08:00:00Z"
    assert stored.voices["beta"].remote_state == "PROCESSING"

    with backend.lock("apply", 0):  # nothing changed: the busy lock is not even needed
        assert record_observations(backend, statuses, 0) == 0
    assert backend.read().serial == stored.serial


def test_a_record_moved_to_another_job_is_left_alone(
    tmp_path: Path, emulator: Emulator, client: MetaStudioClient
) -> None:
    backend = LocalStateBackend(tmp_path / "state.json")
    jobs = seed(emulator, alpha="SUCCEED")
    backend.write(state_of(jobs))
    statuses = collect(client, backend.read())
    replaced = backend.read()
    record = dataclasses.replace(replaced.voices["alpha"], job_id="job-new", phase="created")
    backend.write(replaced.with_voice(record))
    assert record_observations(backend, statuses, 0) == 0
    assert backend.read().voices["alpha"].remote_state is None


def test_changes_wait_for_the_lock(
    tmp_path: Path, emulator: Emulator, client: MetaStudioClient
) -> None:
    backend = LocalStateBackend(tmp_path / "state.json")
    backend.write(state_of(seed(emulator, alpha="WAITING")))
    statuses = collect(client, backend.read())
    with backend.lock("apply", 0), pytest.raises(LockError):
        record_observations(backend, statuses, 0)
