"""The data preflight's findings as each plan rendering shows them: grouped by voice in text
and markdown, and in the plan JSON both as our own records and in Terraform's diagnostic
shape (``terraform validate -json``), so tools that read either find them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reconciler.plan.findings import Finding, by_voice
from reconciler.views.plan_markdown_parts import callout, escape

HEADING = "The data checks found:"
NOT_ONE_VOICE = "(not one voice's)"


def _count(findings: Sequence[Finding]) -> str:
    errors = sum(f.is_error for f in findings)
    warnings = len(findings) - errors
    parts = [
        f"{n} {word}{'s' if n != 1 else ''}"
        for n, word in ((errors, "error"), (warnings, "warning"))
        if n
    ]
    return " and ".join(parts)


def _line(finding: Finding) -> str:
    field = f"{finding.path}: " if finding.path else ""
    return f"{finding.severity}: {finding.where}: {field}{finding.message}"


def text_section(findings: Sequence[Finding]) -> list[str]:
    """Lines for the text plan (empty without findings)."""
    if not findings:
        return []
    lines = [f"{HEADING} {_count(findings)}."]
    for voice, found in by_voice(findings).items():
        lines.append(f"  # voice.{voice}" if voice is not None else f"  # {NOT_ONE_VOICE}")
        lines += [f"  #   {_line(f)}" for f in found]
    return [*lines, ""]


def markdown_section(findings: Sequence[Finding], *, first: int | None = None) -> list[str]:
    """A callout for the comment: every finding, or (``first``) per voice its count and the
    first ``first`` findings, when the whole list would not fit."""
    if not findings:
        return []
    kind = "CAUTION" if any(f.is_error for f in findings) else "WARNING"
    lines = [escape(f"{HEADING} {_count(findings)}, by voice.")]
    for voice, found in by_voice(findings).items():
        name = f"voice.{voice}" if voice is not None else NOT_ONE_VOICE
        lines.append(f"- **{escape(name)}**: {escape(_count(found))}")
        shown = found if first is None else found[:first]
        lines += [f"  - `{_code(_line(f))}`" for f in shown]
        if len(shown) < len(found):
            lines.append(f"  - {len(found) - len(shown)} more in the CI log")
    return [callout(kind, lines)]


def _code(text: str) -> str:
    """Inline code cannot hold a backtick; a line break would end the list item."""
    return " ".join(text.split()).replace("`", "'")


def reconciler_diagnostics(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    return [f.to_dict() for f in findings]


def terraform_diagnostics(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    """Terraform's diagnostic objects: severity, summary, detail, and a range where the
    finding has a line. Terraform's positions also give a byte offset, which the preflight
    does not know: it is left out rather than made up."""
    diagnostics = []
    for f in findings:
        diagnostic: dict[str, Any] = {
            "severity": f.severity,
            "summary": f.message,
            "detail": f.path,
        }
        if f.address is not None:
            diagnostic["address"] = f.address
        if f.line is not None:
            position = {"line": f.line, "column": f.column or 1}
            diagnostic["range"] = {"filename": f.file, "start": position, "end": position}
        else:  # a whole file, as the --json stream says it: Terraform's range needs a line
            diagnostic["reconciler_file"] = f.file
        diagnostics.append(diagnostic)
    return diagnostics
