"""What `assess` shows: per voice, the service's ``assess_result`` beside the preflight's own
figures for the same recordings, as a text table or (``--format json``) one JSON document."""

from __future__ import annotations

import dataclasses
import json
import numbers
from collections.abc import Sequence
from typing import Any, Protocol

from reconciler.environment import Environment
from reconciler.operations.assess import Assessment, preflight_figure
from reconciler.printable import printable
from reconciler.views.base import TextView, View

HEADINGS = ("figure", "service", "expected", "status", "preflight")


class AssessView(View, Protocol):
    def show(self, assessments: Sequence[Assessment]) -> None: ...


def assess_view(env: Environment, fmt: str) -> AssessView:
    return AssessJson(env) if fmt == "json" else AssessText(env)


def _sample_line(assessment: Assessment) -> str:
    record = assessment.record
    sample = record.sample
    names = ", ".join(p.source if p.whole else f"{p.source} (cut)" for p in sample.pieces)
    cached = ", cached" if assessment.cached else ""
    return (
        f"{assessment.address}: {sample.seconds:.1f} s sample from {names} "
        f"(short job {record.job_id}{cached})"
    )


def render_text(assessment: Assessment) -> list[str]:
    lines = [_sample_line(assessment)]
    record, result = assessment.record, assessment.result
    if record.failure is not None:
        return [*lines, f"  the service's assessment failed: {record.failure}"]
    rows = [
        (
            item.name,
            item.actual or "-",
            item.expected or "-",
            "out of range" if item.out_of_range else "ok",
            preflight_figure(assessment.rows, item.name) or "-",
        )
        for item in (result.items if result is not None else ())
    ]
    widths = [max(len(r[i]) for r in (HEADINGS, *rows)) for i in range(len(HEADINGS))]
    for row in (HEADINGS, *rows):
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        lines.append(("  " + "  ".join(cells)).rstrip())
    for item in result.items if result is not None else ():
        if item.out_of_range and (item.suggestion_en or item.suggestion):
            lines.append(f"  {item.name}: {item.suggestion_en or item.suggestion}")
    if not rows:
        lines.append("  the service returned no figures")
    for file in assessment.rows:
        if file.worst is not None:
            worst = file.worst
            lines.append(f"  preflight {worst.severity}: {file.name}: {worst.problem}")
    return lines


class AssessText(TextView):
    def show(self, assessments: Sequence[Assessment]) -> None:
        blocks = ["\n".join(printable(line) for line in render_text(a)) for a in assessments]
        self.env.out("\n\n".join(blocks))


def to_json(assessment: Assessment) -> dict[str, Any]:
    record = assessment.record
    result = assessment.result
    return {
        "address": assessment.address,
        "data_digest": record.data_digest,
        "language": record.language,
        "cached": assessment.cached,
        "sample": {
            "seconds": round(record.sample.seconds, 3),
            "range": [record.sample.low, record.sample.high],
            "pieces": [dataclasses.asdict(p) for p in record.sample.pieces],
        },
        "service": {
            "job_id": record.job_id,
            "state": record.state,
            "failure": record.failure,
            "assess_result": record.assess_result,
        },
        "preflight": {
            "figures": {
                item.name: preflight_figure(assessment.rows, item.name)
                for item in (result.items if result is not None else ())
            },
            "files": [dataclasses.asdict(row) for row in assessment.rows],
        },
    }


class AssessJson(TextView):
    def show(self, assessments: Sequence[Assessment]) -> None:
        body = {"format_version": 1, "voices": [to_json(a) for a in assessments]}
        self.env.out(json.dumps(body, ensure_ascii=False, indent=2, default=_plain))


def _plain(value: object) -> object:
    """A measurement the preflight keeps as a numpy number (or anything else) as JSON."""
    return float(value) if isinstance(value, numbers.Real) else str(value)
