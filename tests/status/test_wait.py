"""wait(): growing intervals, the timeout, settling, and transient failures, with fake time."""

from __future__ import annotations

import pytest

from reconciler.emulator import Emulator, FaultPlan
from reconciler.metastudio import MetaStudioClient, MetaStudioError
from reconciler.status import VoiceStatus, WaitTimeout, wait
from tests.status.conftest import FakeTime, seed, state_of


def test_intervals_grow_to_the_cap_and_the_timeout_says_who_is_still_training(
    emulator: Emulator, client: MetaStudioClient
) -> None:
    state = state_of(seed(emulator, alpha="PROCESSING", beta="SUCCEED"))
    time = FakeTime()
    updates: list[list[VoiceStatus]] = []
    with pytest.raises(WaitTimeout) as caught:
        wait(
            client,
            lambda: state,
            None,
            on_update=updates.append,
            poll=5.0,
            max_poll=20.0,
            backoff=2.0,
            timeout=60.0,
            sleep=time.sleep,
            clock=time.clock,
        )
    # 5 + 10 + 20 + 20 = 55; the last sleep only fills the time left, then one final look.
    assert time.sleeps == [5.0, 10.0, 20.0, 20.0, 5.0]
    assert len(updates) == len(time.sleeps) + 1
    message = str(caught.value)
    assert "timed out after 60 s" in message and "voice.alpha (PROCESSING)" in message
    assert "voice.beta" not in message
    assert [s.state for s in caught.value.statuses] == ["PROCESSING", "SUCCEED"]


def test_returns_once_every_voice_settles(emulator: Emulator, client: MetaStudioClient) -> None:
    jobs = seed(emulator, alpha="WAITING", beta="AUDITING")
    time = FakeTime(on_sleep=lambda _: emulator.advance_job(jobs["alpha"]))
    emulator.fail_job(jobs["beta"], "AUDIT_FAILED", "background noise")
    seen: list[tuple[str | None, ...]] = []
    statuses = wait(
        client,
        lambda: state_of(jobs),
        ["alpha", "beta"],
        on_update=lambda s: seen.append(tuple(v.state for v in s)),
        sleep=time.sleep,
        clock=time.clock,
    )
    # WAITING -> PROCESSING -> UPLOADING -> SUCCEED: three sleeps, growing by 1.5.
    assert time.sleeps == [5.0, 7.5, 11.25]
    assert seen[0] == ("WAITING", "AUDIT_FAILED") and seen[-1] == ("SUCCEED", "AUDIT_FAILED")
    alpha, beta = statuses
    assert alpha.terminal and alpha.asset_id and not alpha.needs_user
    assert beta.needs_user and not beta.terminal and beta.failed_reason == "background noise"
    assert beta.audit_errors == ("review: background noise",)


def test_voices_only_apply_can_move_do_not_keep_it_waiting(
    emulator: Emulator, client: MetaStudioClient
) -> None:
    jobs = seed(emulator, alpha="CREATING", beta="FAILED", gamma="USER_REVIEW_REJECT")
    state = state_of({**jobs, "gone": "job-deleted-meanwhile"})
    time = FakeTime()
    statuses = wait(
        client,
        lambda: state,
        [*jobs, "gone", "unapplied"],
        on_update=lambda _: None,
        sleep=time.sleep,
        clock=time.clock,
    )
    assert time.sleeps == []
    by_name = {s.name: s for s in statuses}
    assert by_name["alpha"].needs_apply and by_name["gone"].gone
    assert by_name["unapplied"].needs_apply and not by_name["unapplied"].recorded
    assert by_name["beta"].terminal and by_name["gamma"].needs_user
    assert all(s.failed for s in statuses)


def test_a_failed_poll_is_retried_at_the_next_interval(
    emulator: Emulator, client: MetaStudioClient
) -> None:
    jobs = seed(emulator, alpha="UPLOADING")
    emulator.set_faults(FaultPlan.parse({"show_job": {"error_500": 1.0, "times": 4}}))
    time = FakeTime(on_sleep=lambda _: emulator.advance_job(jobs["alpha"]))
    errors: list[str] = []
    statuses = wait(
        client,
        lambda: state_of(jobs),
        None,
        on_update=lambda _: None,
        on_error=lambda e: errors.append(str(e)),
        sleep=time.sleep,
        clock=time.clock,
    )
    assert len(errors) == 1 and "HTTP 500" in errors[0]
    assert statuses[0].succeeded and time.sleeps == [5.0]


def test_failed_polls_give_up_without_an_error_handler(
    emulator: Emulator, client: MetaStudioClient
) -> None:
    jobs = seed(emulator, alpha="UPLOADING")
    emulator.set_faults(FaultPlan.parse({"show_job": {"error_500": 1.0}}))
    time = FakeTime()
    with pytest.raises(MetaStudioError):
        wait(client, lambda: state_of(jobs), None, on_update=lambda _: None, sleep=time.sleep)
    assert time.sleeps == []


def test_rejects_intervals_that_would_spin(client: MetaStudioClient) -> None:
    with pytest.raises(ValueError):
        wait(client, lambda: state_of({}), None, on_update=lambda _: None, poll=0)
