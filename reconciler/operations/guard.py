"""The last check before apply deletes a job or its trained asset: each delete and replace
must follow from the configuration and the state, whatever the plan says.

A saved plan is untrusted input: it travels between CI jobs as an artifact, and its content
digest only catches edits made without recomputing it. A plan can also come from a buggy or
older planner. So the guard re-derives, from the configuration and the state (and, for a
failed job, from the service), whether each destructive change is allowed. It never changes
what apply does: the plan's steps still run as planned, or the whole apply is refused.
"""

from __future__ import annotations

from collections.abc import Mapping

from reconciler import attributes
from reconciler.addresses import PREFIX as ADDRESS_PREFIX
from reconciler.addresses import matches
from reconciler.metastudio import MetaStudioClient, MetaStudioError
from reconciler.plan.decide import COMPUTED, TAINTED, recorded_spec, unknown_data
from reconciler.plan.diff import attribute_changes
from reconciler.plan.inputs import DesiredVoice
from reconciler.plan.model import Action, Plan, Reason, ResourceChange, Step
from reconciler.plan.planner import PlanError
from reconciler.state import State, VoiceRecord

DESTRUCTIVE = frozenset({Step.DELETE_JOB, Step.DELETE_ASSET})
_VERBS = {Action.DELETE: "destroying", Action.REPLACE: "replacing"}


class UnsafePlanError(PlanError):
    """The plan would delete what the configuration and the state do not allow to delete."""


def check_destructive(
    plan: Plan, state: State, desired: Mapping[str, DesiredVoice], client: MetaStudioClient
) -> None:
    problems = [
        f"refusing to apply the plan: {problem}"
        for change in plan.changes
        if DESTRUCTIVE & set(change.steps)
        and (problem := _problem(plan, change, _record(change, state), desired, client))
    ]
    if problems:
        raise UnsafePlanError(problems)


def _record(change: ResourceChange, state: State) -> VoiceRecord | None:
    """The voice's record, at its previous address when the change moves it."""
    record = state.voices.get(change.name)
    if record is None and change.previous_address is not None:
        record = state.voices.get(change.previous_address.removeprefix(ADDRESS_PREFIX))
    return record


def _problem(
    plan: Plan,
    change: ResourceChange,
    record: VoiceRecord | None,
    desired: Mapping[str, DesiredVoice],
    client: MetaStudioClient,
) -> str | None:
    if record is None:
        return None  # the state records no job: there is nothing to delete
    where = change.address
    want = desired.get(change.name)
    verb = _VERBS.get(change.action, "deleting the trained asset of")
    # The plan's own before/after copies are not consulted: they are part of what is checked.
    if record.prevent_destroy or (want is not None and want.prevent_destroy):
        return f"{where}: lifecycle.prevent_destroy forbids {verb} it (job {record.job_id or '?'})"
    if Step.DELETE_ASSET in change.steps and (
        record.keep_asset or (want is not None and want.keep_asset)
    ):
        return f"{where}: lifecycle.keep_asset forbids deleting its trained asset"
    addresses = (where, change.previous_address or where)  # a move: either address counts
    if plan.targets and not any(matches(a, plan.targets) for a in addresses):
        return f"{where} is outside the plan's --target selection"
    if matches(where, plan.excludes):
        return f"{where} is excluded by the plan's --exclude"
    if change.action is Action.DELETE:
        if want is not None and not plan.destroy:
            return f"{where} is still in the configuration; only a destroy plan deletes it"
        return None
    if want is None or plan.destroy:
        return f"{where}: only a voice in the configuration can be replaced, and never by destroy"
    if change.action is Action.CREATE:
        return _vanished_problem(change, record, client)
    return _replace_problem(change, record, want, client)


def _vanished_problem(
    change: ResourceChange, record: VoiceRecord, client: MetaStudioClient
) -> str | None:
    """A create deletes an asset only when the recorded job that trained it is gone."""
    if change.reason is not Reason.DRIFT or record.job_id is None:
        return f"{change.address}: a create for reason {change.reason.value!r} deletes nothing"
    try:
        client.show_job(record.job_id)
    except MetaStudioError as error:
        if client.job_is_gone(record.job_id, error):
            return None
        return f"{change.address}: cannot confirm that job {record.job_id} is gone ({error})"
    return f"{change.address}: job {record.job_id} still exists; its asset is in use"


def _replace_problem(
    change: ResourceChange, record: VoiceRecord, want: DesiredVoice, client: MetaStudioClient
) -> str | None:
    if record.job_id is None or change.reason is Reason.FORCED:
        return None  # no job to lose, or the --replace the plan was made with
    if change.reason is Reason.ATTRIBUTES:
        # As the planner does: data a job was adopted without is not a change once submitted.
        unknown = unknown_data(record, record.remote_state, record.phase == "submitted")
        diffs = attribute_changes(recorded_spec(record), want.spec, ignore=COMPUTED | unknown)
        if any(d.path not in attributes.TABLE.local for d in diffs):
            return None
        return f"{change.address}: the configuration matches the state; nothing forces a replace"
    if change.reason is Reason.TAINTED:
        try:
            job_state = client.show_job(record.job_id).state
        except MetaStudioError as error:
            return f"{change.address}: cannot confirm that job {record.job_id} failed ({error})"
        if job_state in TAINTED:
            return None
        return f"{change.address}: job {record.job_id} is {job_state}, not failed"
    return f"{change.address}: a replace for reason {change.reason.value!r} is never planned"
