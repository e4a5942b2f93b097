"""The plan as a reviewer reads it in a terminal or CI log, in Terraform's layout."""

from __future__ import annotations

from reconciler.plan.model import Plan, ResourceChange
from reconciler.views.ansi import GREEN, RED, YELLOW, Style
from reconciler.views.plan_blocks import render_block
from reconciler.views.plan_findings import text_section
from reconciler.views.wording import (
    NOT_REFRESHED,
    RESOURCES_HEADING,
    attention,
    headline,
    listed,
    noop_label,
    resource_line,
    training_progress,
    waiting_for_data,
)

HEADLINE = "reconciler will perform the following actions:"
HEADLINE_DESTROY = "reconciler will destroy the following voices:"
HEADLINE_NOOP = "reconciler has nothing to do for the following voices:"


def render_text(
    plan: Plan, *, color: bool = False, show_noop: bool = False, findings: bool = True
) -> str:
    """The whole plan, without a trailing newline (callers print it as one line would be);
    ``findings``: with the data checks' findings (the comment shows them on their own)."""
    style = Style(color)
    lines = _preamble(plan)
    shown = [c for c in plan.changes if show_noop or listed(c)]
    if shown:
        lines += [_headline(plan), ""]
        for change in shown:
            lines += [*render_block(change, style), ""]
    if not show_noop:
        lines += _attention_section(plan.changes)
    lines += _resources_section(plan, style)
    if findings:
        lines += text_section(plan.findings)
    if plan.has_changes:
        lines.append(style.bold(plan.summary.line()))
    else:
        colour = YELLOW if waiting_for_data(plan) else GREEN  # green only when in step
        lines.append(style.paint(style.bold(noop_label(plan)), colour))
        progress = training_progress(plan)
        if progress:
            lines.append(progress)
    return "\n".join(lines)


def _preamble(plan: Plan) -> list[str]:
    lines = []
    if not plan.refreshed:
        lines.append(NOT_REFRESHED)
    if plan.targets:
        lines.append(
            f"Note: only voices matching --target {', '.join(plan.targets)} were planned; "
            "other voices may also differ from the configuration."
        )
    if plan.excludes:
        lines.append(
            f"Note: voices matching --exclude {', '.join(plan.excludes)} were not planned; "
            "they may also differ from the configuration."
        )
    return [*lines, ""] if lines else []


def _resources_section(plan: Plan, style: Style) -> list[str]:
    if not plan.resources:
        return []
    lines = [f"  {resource_line(need, plan.refreshed)}" for need in plan.resources]
    shown = [
        style.paint(style.bold(line), RED) if need.short else line
        for line, need in zip(lines, plan.resources, strict=True)
    ]
    return [RESOURCES_HEADING, *shown, ""]


def _headline(plan: Plan) -> str:
    if not plan.has_changes:
        return HEADLINE_NOOP
    return HEADLINE_DESTROY if plan.destroy else HEADLINE


def _attention_section(changes: tuple[ResourceChange, ...]) -> list[str]:
    """No-op voices are hidden, but an AUDIT_FAILED job's review errors must still be read."""
    lines = []
    for change in changes:
        if not listed(change) and attention(change):
            lines.append(f"  # {headline(change)}")
            lines += [f"  #   {part}" for note in attention(change) for part in note.splitlines()]
    return ["Voices with nothing to do that need attention:", *lines, ""] if lines else []
