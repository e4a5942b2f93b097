"""The plan as a pull-request comment that always fits GitHub's size limit.

The full rendering is tried first; when it is too long, detail is given up in a fixed order
(no-op rows, the text details, all but the first data findings of each voice, the change
table, the destroy list) and never by cutting text, so no fenced block or table row is ever
left half-written.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from reconciler.plan.model import Action, Plan, ResourceChange
from reconciler.plan.renames import rename_hints
from reconciler.views.plan_findings import markdown_section
from reconciler.views.plan_markdown_parts import (
    MARKER,
    TOO_LARGE,
    action_lists,
    callout,
    changes_table,
    details,
    escape,
    summary_table,
    warning_intro,
    warning_lines,
)
from reconciler.views.plan_text import render_text
from reconciler.views.provenance import Provenance
from reconciler.views.wording import (
    NOT_REFRESHED,
    RESOURCES_HEADING,
    destroys,
    listed,
    noop_label,
    resource_line,
    training_progress,
)

FIRST_ADDRESSES = (20, 5, 0)
FIRST_FINDINGS = (3, 0)  # per voice, once every finding no longer fits
EVERY = -1  # warnings: every destroyed/replaced address, without the reasons


@dataclass(frozen=True)
class Detail:
    noop_rows: bool = True
    table: bool = True
    text: bool = True
    list_first: int = 0  # per-action lists instead of the table, with this many addresses
    warnings: int | None = None  # None: one line per address with its reason; else list_first
    findings: int | None = None  # None: every data finding; else this many per voice

    @property
    def summarised(self) -> bool:
        return not (self.table and self.text) or self.findings is not None


def render_markdown(
    plan: Plan, *, max_chars: int = 65000, provenance: Provenance | None = None
) -> str:
    """The comment, at most ``max_chars`` long, without a trailing newline; ``provenance``
    names the commit planned and the CI run."""
    comment = _Comment(plan, provenance or Provenance())
    for detail in _levels(plan):
        # The text of a large plan is slow to render: skip it when the rest alone is too long.
        if detail.text and len(comment.document(detail, text="")) > max_chars:
            continue
        document = comment.document(detail)
        if len(document) <= max_chars:
            return document
    return comment.shortest(max_chars)


def _levels(plan: Plan) -> Iterator[Detail]:
    """From the full comment to the barest, each level giving up the least useful detail left."""
    if any(c.action is Action.NOOP for c in plan.changes):
        yield Detail()
    yield Detail(noop_rows=False)
    yield Detail(noop_rows=False, text=False)
    if plan.findings:
        for shown in FIRST_FINDINGS:
            yield Detail(noop_rows=False, text=False, findings=shown)
    least = 0 if plan.findings else None
    for warnings in (None, EVERY):
        for first in FIRST_ADDRESSES:
            yield Detail(
                table=False, text=False, list_first=first, warnings=warnings, findings=least
            )
    for first in FIRST_ADDRESSES:
        yield Detail(table=False, text=False, list_first=first, warnings=first, findings=least)


class _Comment:
    """Builds each part once: a large plan is tried at several levels of detail."""

    def __init__(self, plan: Plan, provenance: Provenance) -> None:
        self.plan = plan
        self.provenance = provenance.markdown()
        self.doomed = [c for c in plan.changes if destroys(c)]
        self.summary_line = plan.summary.line() if plan.has_changes else noop_label(plan)
        self.title = "reconciler plan (destroy)" if plan.destroy else "reconciler plan"
        self.summary_table = summary_table(plan)
        self.progress = training_progress(plan)

    @cached_property
    def text(self) -> str:
        return details(render_text(self.plan, findings=False))

    @cached_property
    def warning_lines(self) -> list[str]:
        return warning_lines(self.doomed)

    @cached_property
    def changed(self) -> list[ResourceChange]:
        return [c for c in self.plan.changes if listed(c)]

    def document(self, detail: Detail, text: str | None = None) -> str:
        parts = [f"{MARKER}\n### {self.title}", f"**{self.summary_line}**"]
        parts += self._notes(detail)
        parts += self._warnings(detail)
        parts += markdown_section(self.plan.findings, first=detail.findings)
        parts += self._resources()
        parts.append(self.summary_table)
        if self.progress:
            parts.append(escape(self.progress))
        parts += self._changes(detail)
        if detail.text:
            parts.append(self.text if text is None else text)
        parts.append(self.footer)
        return "\n\n".join(parts)

    @cached_property
    def footer(self) -> str:
        plan = self.plan
        lineage = escape(plan.state_lineage)
        origin = f"{self.provenance} " if self.provenance else ""
        return f"<sub>{origin}State serial {plan.state_serial}, lineage {lineage}.</sub>"

    def _notes(self, detail: Detail) -> list[str]:
        lines = []
        if not self.plan.refreshed:
            lines.append(escape(NOT_REFRESHED.removeprefix("Note: ").capitalize()))
        if self.plan.targets:
            targets = escape(", ".join(self.plan.targets))
            lines.append(f"Only voices matching --target {targets} were planned.")
        if self.plan.excludes:
            excludes = escape(", ".join(self.plan.excludes))
            lines.append(f"Voices matching --exclude {excludes} were not planned.")
        lines += [escape(hint) for hint in rename_hints(self.plan)]
        if detail.summarised:
            lines.append(TOO_LARGE)
        return [callout("NOTE", lines)] if lines else []

    def _resources(self) -> list[str]:
        """Never given up for size: a few lines that decide whether apply can run at all."""
        needs = self.plan.resources
        if not needs:
            return []
        lines = [escape(RESOURCES_HEADING)]
        lines += [f"- {escape(resource_line(n, self.plan.refreshed))}" for n in needs]
        return [callout("CAUTION" if any(n.short for n in needs) else "NOTE", lines)]

    def _warnings(self, detail: Detail) -> list[str]:
        if not self.doomed:
            return []
        lines = [warning_intro(self.doomed)]
        if detail.warnings is None:
            lines += self.warning_lines
        else:
            first = len(self.doomed) if detail.warnings == EVERY else detail.warnings
            lines += action_lists(self.doomed, first).splitlines()
        return [callout("WARNING", lines)]

    def _changes(self, detail: Detail) -> list[str]:
        parts = []
        if detail.table:
            listed = list(self.plan.changes) if detail.noop_rows else self.changed
            if listed:
                parts += ["#### Changes", changes_table(listed)]
            hidden = len(self.plan.changes) - len(listed)
            if hidden:
                parts.append(
                    f"{hidden} voice{'s' if hidden != 1 else ''} with no changes not listed."
                )
        elif self.changed:
            parts += ["#### Changes", action_lists(self.changed, detail.list_first)]
        return parts

    def shortest(self, max_chars: int) -> str:
        """Last resort for absurdly small limits: whole lines of the barest summary that fit."""
        lines = [MARKER, f"### {self.title}", "", f"**{self.summary_line}**", ""]
        if self.doomed:
            lines += [warning_intro(self.doomed), ""]
        if self.plan.findings:
            lines += [f"The data checks found {len(self.plan.findings)} problems.", ""]
        lines.append(TOO_LARGE)
        if self.provenance:
            lines += ["", self.provenance]
        kept: list[str] = []
        for line in lines:
            if len("\n".join([*kept, line])) > max_chars:
                break
            kept.append(line)
        return "\n".join(kept).rstrip()
