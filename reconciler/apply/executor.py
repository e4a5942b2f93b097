"""Carry out a plan: independent voices in parallel, one failure never stopping the others.

Ctrl-C (and SIGTERM, see signals.py) sets the stop flag: each voice finishes the step in
flight and its checkpoint, then stops at the next step boundary; the outcome says so. A voice
not started by then is not started at all. A checkpoint refused because the run's lock was
force-unlocked sets it too.

What no-op voices observed (a new asset, a state reached) follows no remote step, so it is
not checkpointed voice by voice: the Checkpointer collects it, and it is stored with the
next checkpoint or, at the end, in one write for all of them.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Mapping

from reconciler.apply.context import ApplyContext
from reconciler.apply.outcome import ApplyResult, Outcome, Result
from reconciler.apply.steps import VoiceRun
from reconciler.apply.uploads import Interrupted
from reconciler.config import VoiceSpec
from reconciler.errors import ReconcilerError
from reconciler.metastudio import redact_url
from reconciler.plan.inputs import DesiredVoice
from reconciler.plan.model import Plan, ResourceChange, Step
from reconciler.state import LockLostError

_LOST = "{0.address}: not carried out: this run's state lock was force-unlocked (see above)"


def _describe(error: BaseException) -> str:
    if isinstance(error, ReconcilerError):
        return str(error)
    # Unexpected errors may quote a URL; never let a presigned query string through.
    words = [
        redact_url(w) if w.startswith(("http://", "https://")) else w for w in str(error).split()
    ]
    return f"unexpected {type(error).__name__}: {' '.join(words)}"


def run_one(
    ctx: ApplyContext, change: ResourceChange, voice: VoiceSpec | None, desired: DesiredVoice | None
) -> Outcome:
    if ctx.stop.is_set():
        if ctx.lock_lost:
            return Outcome(change.address, change.action, Result.FAILED, _LOST.format(change))
        stopped = f"{change.address}: stopped before it started; the next apply does it"
        return Outcome(change.address, change.action, Result.INTERRUPTED, stopped)
    ctx.reporter.change_started(change.address)
    try:
        result = VoiceRun(ctx, change, voice, desired).run()
    except Interrupted as stop:
        if ctx.lock_lost:
            outcome = Outcome(change.address, change.action, Result.FAILED, _LOST.format(change))
        else:
            outcome = Outcome(change.address, change.action, Result.INTERRUPTED, str(stop))
    except Exception as error:
        if isinstance(error, LockLostError):
            # Force-unlocked: the state is another run's now. No voice takes another step.
            ctx.lock_lost = True
            ctx.stop.set()
        outcome = Outcome(change.address, change.action, Result.FAILED, _describe(error))
    else:
        outcome = Outcome(change.address, change.action, result)
    ctx.reporter.change_finished(change.address, outcome.ok, _job_id(ctx, change))
    return outcome


def _job_id(ctx: ApplyContext, change: ResourceChange) -> str | None:
    """The job the change made or kept; for a delete, the job it deleted."""
    record = ctx.checkpoint.record(change.name)
    if record is not None and record.job_id:
        return record.job_id
    job_id = (change.before or {}).get("job_id")
    return job_id if isinstance(job_id, str) else None


def execute(
    ctx: ApplyContext,
    plan: Plan,
    voices: Mapping[str, VoiceSpec],
    desired: Mapping[str, DesiredVoice],
    *,
    parallelism: int = 4,
) -> ApplyResult:
    """Run every change of the plan; returns one outcome per change, in plan order."""
    changes = list(plan.changes)
    remote = [c for c in changes if _has_remote_step(c)]
    outcomes: dict[str, Outcome] = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, parallelism)) as pool:
        futures = {
            pool.submit(run_one, ctx, c, voices.get(c.name), desired.get(c.name)): c for c in remote
        }
        # The others only record what was observed, or nothing: done here, while the first
        # remote steps run, rather than as one queued task each (a catalogue of 100,000
        # unchanged voices made 100,000 futures for nothing).
        for change in changes:
            if not _has_remote_step(change):
                outcome = _run_local(ctx, change, voices, desired)
                outcomes[outcome.address] = outcome
        pending = set(futures)
        while pending:
            try:
                done, pending = concurrent.futures.wait(pending, timeout=0.2)
            except KeyboardInterrupt:
                ctx.stop.set()  # steps in flight finish and checkpoint; the rest stop
                continue
            for future in done:
                outcome = future.result()
                outcomes[outcome.address] = outcome
    ctx.checkpoint.flush()
    return ApplyResult(tuple(outcomes[c.address] for c in changes))


LOCAL_STEPS = frozenset({Step.SYNC, Step.MOVE, Step.FORGET})  # recorded, no remote call


def _has_remote_step(change: ResourceChange) -> bool:
    return any(step not in LOCAL_STEPS for step in change.steps)


def _run_local(
    ctx: ApplyContext,
    change: ResourceChange,
    voices: Mapping[str, VoiceSpec],
    desired: Mapping[str, DesiredVoice],
) -> Outcome:
    try:
        return run_one(ctx, change, voices.get(change.name), desired.get(change.name))
    except KeyboardInterrupt:
        ctx.stop.set()  # what was recorded so far is stored by the flush; the rest stop
        return run_one(ctx, change, voices.get(change.name), desired.get(change.name))
