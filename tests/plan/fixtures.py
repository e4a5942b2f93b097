"""Plans shaped like the planner's output, for renderer, planfile and planner tests.

``every_action_plan()`` holds every Action and every Reason at least once; the spec and
recorded dicts have the planner's shape (recorded = spec + job_id; phone is a fingerprint).
"""

from __future__ import annotations

import dataclasses
import hashlib
from typing import Any

from reconciler.plan.model import (
    Action,
    AttributeChange,
    Plan,
    Reason,
    RemoteView,
    ResourceChange,
    Step,
)
from reconciler.plan.steps import steps_for

LINEAGE = "0b5f2d3e-8c1a-4f7e-9d2b-6a1c3e5f7a9b"
CREATED_AT = "2026-11-01T00:00:00Z"
CONFIG_DIGEST = "sha256:" + hashlib.sha256(b"config").hexdigest()
PHONE_FINGERPRINT = "hmac-sha256:3f9a"
OTHER_PHONE_FINGERPRINT = "hmac-sha256:c41e"


def digest(seed: str) -> str:
    return "sha256:" + hashlib.sha256(seed.encode()).hexdigest()


def job_id(seed: str) -> str:
    return hashlib.sha256(f"job:{seed}".encode()).hexdigest()[:32]


def spec(name: str, **overrides: Any) -> dict[str, Any]:
    base = {
        "edition": "basic",
        "create_type": "PACKAGE",
        "voice_name": name.capitalize(),
        "sex": "FEMALE",
        "language": "CN",
        "data_digest": digest(name),
        "prevent_destroy": False,
    }
    return {**base, **overrides}


def recorded(name: str, **overrides: Any) -> dict[str, Any]:
    return {**spec(name), "job_id": job_id(name), **overrides}


def remote(name: str, state: str | None, **fields: Any) -> RemoteView:
    return RemoteView(job_id=job_id(name), state=state, refreshed=True, **fields)


def change(
    name: str,
    action: Action,
    reason: Reason,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    **fields: Any,
) -> ResourceChange:
    made = ResourceChange(f"voice.{name}", name, action, reason, before, after, **fields)
    # The steps the planner would give it (with no record to go on, a fresh job's).
    return made if made.steps else dataclasses.replace(made, steps=steps_for(made, None, None))


def diff(before: dict[str, Any], after: dict[str, Any], forcing: set[str]) -> tuple[Any, ...]:
    keys = sorted(
        k for k in set(before) | set(after) if k != "job_id" and before.get(k) != after.get(k)
    )
    return tuple(AttributeChange(k, before.get(k), after.get(k), k in forcing) for k in keys)


def plan(*changes: ResourceChange, **fields: Any) -> Plan:
    base: dict[str, Any] = {
        "state_serial": 7,
        "state_lineage": LINEAGE,
        "config_digest": CONFIG_DIGEST,
        "refreshed": True,
        "created_at": CREATED_AT,
    }
    return Plan(changes=tuple(changes), **{**base, **fields})


def created(name: str, **after: Any) -> ResourceChange:
    return change(name, Action.CREATE, Reason.NEW, None, spec(name, **after))


def drifted(name: str) -> ResourceChange:
    note = f"job {job_id(name)} no longer exists remotely; it will be created again"
    return change(
        name,
        Action.CREATE,
        Reason.DRIFT,
        recorded(name),
        spec(name),
        remote=RemoteView(job_id=job_id(name), refreshed=True),
        notes=(note,),
    )


def recovering(name: str) -> ResourceChange:
    note = "apply will look for a job created by the interrupted attempt before creating one"
    return change(name, Action.CREATE, Reason.RECOVER_CREATE, None, spec(name), notes=(note,))


def adopted(name: str) -> ResourceChange:
    notes = (
        f"adopting job {job_id(name)}, created by the interrupted attempt",
        "training data will be uploaded, then the job submitted",
    )
    return change(
        name,
        Action.RESUME,
        Reason.ADOPT,
        recorded(name),
        spec(name),
        remote=remote(name, "CREATING"),
        notes=notes,
        adopt_job_id=job_id(name),
    )


def unfinished(name: str) -> ResourceChange:
    return change(
        name,
        Action.RESUME,
        Reason.UNFINISHED,
        recorded(name),
        spec(name),
        remote=remote(name, "CREATING"),
        notes=("the job will be submitted",),
    )


def changed(name: str, was: dict[str, Any] | None = None, **after: Any) -> ResourceChange:
    before, wanted = recorded(name, **(was or {})), spec(name, **after)
    return change(
        name,
        Action.UPDATE,
        Reason.CHANGED,
        before,
        wanted,
        changes=diff(before, wanted, set()),
        remote=remote(name, "CREATING"),
        notes=("training data will be uploaded, then the job submitted",),
    )


def updated_in_place(name: str, **after: Any) -> ResourceChange:
    """A trained voice whose asset takes the change (UpdateDigitalAsset)."""
    before, wanted = recorded(name), spec(name, **after)
    return change(
        name,
        Action.UPDATE,
        Reason.IN_PLACE,
        before,
        wanted,
        changes=diff(before, wanted, set()),
        remote=remote(name, "SUCCEED", asset_id=f"asset-{name}"),
        notes=("the job is kept: no training is needed",),
    )


def resubmitted(name: str, *audit_errors: str) -> ResourceChange:
    before, wanted = recorded(name), spec(name, data_digest=digest(f"{name}-v2"))
    return change(
        name,
        Action.UPDATE,
        Reason.RESUBMIT,
        before,
        wanted,
        changes=diff(before, wanted, set()),
        remote=remote(name, "AUDIT_FAILED", audit_errors=audit_errors),
        notes=("new training data will be uploaded and the job submitted again",),
    )


def replaced(name: str, **after: Any) -> ResourceChange:
    before, wanted = recorded(name), spec(name, **after)
    forcing = {k for k in after if k not in ("prevent_destroy",)}
    return change(
        name,
        Action.REPLACE,
        Reason.ATTRIBUTES,
        before,
        wanted,
        changes=diff(before, wanted, forcing),
        remote=remote(name, "SUCCEED", asset_id=f"asset-{name}"),
        notes=("MetaStudio has no update operation for submitted jobs",),
    )


def tainted(name: str, failed_reason: str) -> ResourceChange:
    return change(
        name,
        Action.REPLACE,
        Reason.TAINTED,
        recorded(name),
        spec(name),
        remote=remote(name, "FAILED", failed_reason=failed_reason),
        notes=(f"the job FAILED: {failed_reason}",),
    )


def forced(name: str) -> ResourceChange:
    return change(
        name,
        Action.REPLACE,
        Reason.FORCED,
        recorded(name),
        spec(name),
        remote=remote(name, "SUCCEED", asset_id=f"asset-{name}"),
    )


def removed(name: str, *, reason: Reason = Reason.REMOVED, **before: Any) -> ResourceChange:
    return change(
        name,
        Action.DELETE,
        reason,
        recorded(name, **before),
        None,
        remote=remote(name, "SUCCEED", asset_id=f"asset-{name}"),
    )


def vanished(name: str) -> ResourceChange:
    note = "the job no longer exists remotely; only the state record is removed"
    return change(
        name,
        Action.DELETE,
        Reason.DESTROY,
        recorded(name),
        None,
        remote=RemoteView(job_id=job_id(name), refreshed=True),
        notes=(note,),
    )


def steady(name: str, state: str = "SUCCEED") -> ResourceChange:
    return change(
        name,
        Action.NOOP,
        Reason.UP_TO_DATE,
        recorded(name),
        spec(name),
        remote=remote(name, state, asset_id=f"asset-{name}" if state == "SUCCEED" else None),
    )


def audit_failed(name: str, *audit_errors: str) -> ResourceChange:
    note = "the job is AUDIT_FAILED: change the training data to upload and resubmit it"
    return change(
        name,
        Action.NOOP,
        Reason.AUDIT_FAILED,
        recorded(name),
        spec(name),
        remote=remote(name, "AUDIT_FAILED", audit_errors=audit_errors),
        notes=(note,),
    )


def forgotten(name: str) -> ResourceChange:
    note = (
        f"job {job_id(name)} and its trained asset asset-{name} stay in MetaStudio; only the "
        "state forgets the voice"
    )
    return change(
        name,
        Action.FORGET,
        Reason.REMOVED_ENTRY,
        recorded(name),
        None,
        remote=remote(name, "SUCCEED", asset_id=f"asset-{name}"),
        notes=(note,),
    )


def restoring(name: str) -> ResourceChange:
    note = f"its trained model, asset asset-{name}, is in the recycle bin: it is restored"
    return change(
        name,
        Action.RESTORE,
        Reason.RECYCLE_BIN,
        None,
        spec(name),
        remote=RemoteView(asset_id=f"asset-{name}", state="DELETED", refreshed=True),
        notes=(note,),
    )


def moved(name: str, previous: str) -> ResourceChange:
    """A trained voice a `moved` entry brought from ``previous``, with nothing else to do."""
    return dataclasses.replace(
        steady(name), previous_address=f"voice.{previous}", steps=(Step.MOVE,)
    )


def restored(name: str) -> ResourceChange:
    return change(
        name,
        Action.NOOP,
        Reason.RESTORED,
        recorded(name),
        spec(name),
        remote=RemoteView(asset_id=f"asset-{name}"),
    )


def every_action_plan() -> Plan:
    """Every Action and every Reason at least once (DESTROY mixed in, unlike a real plan)."""
    return plan(
        adopted("aria"),
        tainted("broken", "audio too short"),
        replaced("calm", voice_name="Calm male"),
        changed(
            "draft",
            was={"phone": PHONE_FINGERPRINT},
            description="Warm and slow",
            phone=OTHER_PHONE_FINGERPRINT,
        ),
        drifted("echo"),
        forced("forced"),
        created("gentle", voice_name="Gentle female", phone=PHONE_FINGERPRINT),
        vanished("gone"),
        unfinished("half"),
        forgotten("kept"),
        moved("named", "nameless"),
        recovering("lost"),
        removed("old", phone=PHONE_FINGERPRINT),
        updated_in_place("renamed", voice_name="Renamed voice", description="Brighter"),
        resubmitted("retry", "background noise in 3 of 20 recordings"),
        audit_failed("review", "recording 7 is silent", "speaker changes in recording 12"),
        steady("steady"),
        steady("training", "PROCESSING"),
        restoring("undone"),
        restored("welcome"),
    )


def no_changes_plan() -> Plan:
    return plan(
        steady("aria"),
        steady("bella"),
        steady("calm", "PROCESSING"),
        audit_failed("review", "recording 7 is silent"),
    )


def not_refreshed_plan() -> Plan:
    """--refresh=false: remote views carry the recorded state, not a fresh one."""
    stale = RemoteView(job_id=job_id("calm"), state="PROCESSING")
    return plan(
        created("gentle"),
        change(
            "calm", Action.NOOP, Reason.UP_TO_DATE, recorded("calm"), spec("calm"), remote=stale
        ),
        removed("old"),
        refreshed=False,
    )


def destroy_plan() -> Plan:
    return plan(
        removed("aria", reason=Reason.DESTROY),
        vanished("gone"),
        destroy=True,
        targets=("voice.aria", "voice.g*"),
    )


def large_plan(count: int) -> Plan:
    """``count`` changes cycling through every kind, for size limits."""
    makers = (
        lambda n: created(n),
        lambda n: removed(n),
        lambda n: replaced(n, voice_name=f"{n} v2"),
        lambda n: unfinished(n),
        lambda n: steady(n),
    )
    return plan(*(makers[i % len(makers)](f"voice-{i:05d}") for i in range(count)))
