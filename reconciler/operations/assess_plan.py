"""`plan --assess`: the service's verdict on the data of every voice the plan would submit for
training (create, resume, resubmit, replace), as notes beside each voice in every format.

It runs after the plan is made and changes none of its steps: a saved plan carries the notes
to the reviewer, and apply verifies actions and steps, never notes. A voice whose assessment
cannot be had says why in its note; the plan itself stands.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

from reconciler.defaults import ASSESS_TIMEOUT_SECONDS
from reconciler.errors import ReconcilerError
from reconciler.operations.assess import (
    Assessment,
    Assessor,
    assessed_names,
    preflight_figure,
    preflight_rows,
)
from reconciler.operations.assess_cache import Record
from reconciler.operations.workspace import Workspace
from reconciler.plan.model import Plan


def assessment_notes(assessment: Assessment) -> list[str]:
    record = assessment.record
    if record.failure is not None:
        return [f"service assessment failed: short job {record.job_id} {record.failure}"]
    cached = ", from .reconciler/assess" if assessment.cached else ""
    head = (
        f"service assessment ({record.sample.seconds:.1f} s sample of "
        f"{len(record.sample.pieces)} recording(s), short job {record.job_id}{cached}):"
    )
    result = assessment.result
    items = result.items if result is not None else ()
    figures = [
        f"{i.name} {i.actual or '?'} (expected {i.expected or '?'})"
        + (" OUT OF RANGE" if i.out_of_range else "")
        for i in items
    ]
    notes = [f"{head} {'; '.join(figures) or 'no figures'}"]
    if result is not None and result.suggestion:
        notes.append(f"service suggestion: {result.suggestion}")
    ours = [
        f"{i.name} {figure}"
        for i in items
        if (figure := preflight_figure(assessment.rows, i.name)) is not None
    ]
    if ours:
        notes.append(f"preflight on the same recordings (worst file): {', '.join(ours)}")
    return notes


def assess_plan(
    workspace: Workspace,
    plan: Plan,
    *,
    timeout: float = ASSESS_TIMEOUT_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Plan:
    """``plan`` with each submitted voice's assessment in its notes."""
    voices = workspace.config.voices
    names = assessed_names(plan, voices)
    if not names:
        return plan
    notes: dict[str, list[str]] = {}
    records: dict[str, tuple[Record, bool]] = {}
    with workspace.client() as client:
        assessor = Assessor(workspace, client, timeout, sleep=sleep, clock=clock)
        for name in names:
            try:
                records[name] = assessor.assess(voices[name])
            except ReconcilerError as error:
                notes[name] = [f"service assessment not available: {error}"]
    rows = preflight_rows(workspace, {n: r for n, (r, _) in records.items()}) if records else {}
    for name, (record, cached) in records.items():
        notes[name] = assessment_notes(Assessment(name, record, rows[name], cached))
    changes = tuple(
        dataclasses.replace(c, notes=(*c.notes, *notes[c.name])) if c.name in notes else c
        for c in plan.changes
    )
    return dataclasses.replace(plan, changes=changes)
