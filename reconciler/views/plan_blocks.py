"""One voice's block in the text plan: header comment, signed attribute rows, notes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reconciler.plan.model import Action, ResourceChange
from reconciler.views.ansi import RED, Style
from reconciler.views.values import KNOWN_AFTER_APPLY, shown, shown_change
from reconciler.views.wording import PREVENTED, attention, headline, marks_prevented, moved_from

BLOCK_SIGNS = {
    Action.CREATE: "+",
    Action.RESUME: "~",
    Action.UPDATE: "~",
    Action.REPLACE: "-/+",
    Action.DELETE: "-",
    Action.FORGET: ".",  # Terraform's sign for a removed block
    Action.NOOP: " ",
    Action.RESTORE: "+",
}
# Unchanged attributes worth seeing next to a change: they say which job is meant.
CONTEXT_KEYS = ("job_id", "voice_name")
FORCES = "# forces replacement"


@dataclass(frozen=True)
class Row:
    sign: str  # "+", "~", "-" or " " for unchanged context
    key: str
    value: str
    comment: str = ""


def render_block(change: ResourceChange, style: Style) -> list[str]:
    lines = [style.bold(f"  # {headline(change)}")]
    moved = moved_from(change)
    if moved is not None and change.action is not Action.NOOP:
        lines.append(style.bold(f"  # ({moved})"))
    if marks_prevented(change):
        lines.append(style.paint(f"  # {PREVENTED}", RED))
    sign = BLOCK_SIGNS[change.action]
    # Padded before styling: escape codes would count towards the width.
    lines.append(f"{' ' * (3 - len(sign))}{style.sign(sign)} voice {shown('', change.name)} {{")
    rows = _rows(change)
    width = max((len(row.key) for row in rows), default=0)
    for row in rows:
        comment = f" {style.paint(row.comment, RED)}" if row.comment else ""
        lines.append(f"      {style.sign(row.sign)} {row.key:<{width}} = {row.value}{comment}")
    hidden = _hidden_count(change, rows)
    if hidden:
        plural = "s" if hidden > 1 else ""
        lines.append(f"        # ({hidden} unchanged attribute{plural} hidden)")
    for note in attention(change):
        lines.extend(f"      # {part}" for part in note.splitlines() or [""])
    lines.append("    }")
    return lines


def _rows(change: ResourceChange) -> list[Row]:
    if change.action is Action.CREATE:
        rows = [Row("+", k, shown(k, v)) for k, v in _present(change.after)]
        if "job_id" not in (change.after or {}):
            rows.append(Row("+", "job_id", KNOWN_AFTER_APPLY))
        return rows
    if change.action is Action.DELETE:
        return [Row("-", k, shown(k, v)) for k, v in _present(change.before)]
    if change.action is Action.FORGET:
        return [Row(" ", k, shown(k, v)) for k, v in _present(change.before) if k in CONTEXT_KEYS]
    rows = [_changed_row(c.path, c.before, c.after, c.forces_replacement) for c in change.changes]
    changed = {c.path for c in change.changes}
    job_id = _job_id(change)
    if change.action is Action.REPLACE and job_id is not None:
        rows.append(Row("~", "job_id", f"{shown('job_id', job_id)} -> {KNOWN_AFTER_APPLY}"))
        changed.add("job_id")
    spec = {**(change.before or {}), **(change.after or {}), "job_id": job_id}
    rows.extend(
        Row(" ", key, shown(key, spec[key]))
        for key in CONTEXT_KEYS
        if key not in changed and spec.get(key) is not None
    )
    return rows


def _changed_row(key: str, before: Any, after: Any, forces: bool) -> Row:
    comment = FORCES if forces else ""
    if before is None:
        return Row("+", key, shown(key, after), comment)
    if after is None:
        return Row("-", key, f"{shown(key, before)} -> null", comment)
    return Row("~", key, shown_change(key, before, after), comment)


def _job_id(change: ResourceChange) -> str | None:
    recorded = (change.before or {}).get("job_id")
    return change.adopt_job_id or change.remote.job_id or recorded


def _present(spec: dict[str, Any] | None) -> list[tuple[str, Any]]:
    return sorted(((k, v) for k, v in (spec or {}).items() if v is not None), key=lambda kv: kv[0])


def _hidden_count(change: ResourceChange, rows: list[Row]) -> int:
    if change.action in (Action.CREATE, Action.DELETE):
        return 0
    spec = change.after if change.after is not None else change.before
    shown_keys = {row.key for row in rows}
    return sum(1 for k, v in (spec or {}).items() if v is not None and k not in shown_keys)
