"""Pieces of the markdown plan comment; render_markdown decides which ones fit."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from reconciler.plan.model import Action, Plan, Reason, ResourceChange
from reconciler.views.wording import (
    LABELS,
    PREVENTED,
    VERBS,
    destroys,
    marks_prevented,
    moved_from,
    reason_text,
)

MARKER = "<!-- reconciler-plan -->"
TOO_LARGE = (
    "This plan is too large for a comment and is summarised here; "
    "the full plan is in the CI log and in the output of `reconciler plan`."
)
_ESCAPES = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", **{ch: f"\\{ch}" for ch in "\\`*_[]|"}}
)
_SIGN_AT_INDENT = re.compile(r"^( +)([-+~])(?= )", re.MULTILINE)
# Order of the per-action lists: what loses data first.
LIST_ORDER = (
    Action.DELETE,
    Action.REPLACE,
    Action.CREATE,
    Action.UPDATE,
    Action.RESUME,
    Action.FORGET,
)


def escape(value: object) -> str:
    """Make any value inert in a table cell or list item: no HTML, no code span, no new cell."""
    return " ".join(str(value).split()).translate(_ESCAPES)


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], align: str = "") -> str:
    """A GFM table; ``align`` holds one of l/r per column (default left)."""
    rules = ["---:" if a == "r" else "---" for a in align.ljust(len(headers), "l")]
    lines = [_row(headers), _row(rules)]
    lines += [_row([escape(cell) for cell in row]) for row in rows]
    return "\n".join(lines)


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def callout(kind: str, lines: Sequence[str]) -> str:
    return "\n".join([f"> [!{kind}]", *(f"> {line}" for line in lines)])


def summary_table(plan: Plan) -> str:
    s = plan.summary
    counts = [
        ("create", s.create),
        ("update", s.update),
        ("replace", s.replace),
        ("destroy", s.destroy),
        ("no-op", s.noop),
        *((word, count) for word, count in (("move", s.move), ("forget", s.forget)) if count),
    ]
    return table(["Action", "Count"], counts, "lr")


def describe(change: ResourceChange) -> str:
    reason = reason_text(change)
    if change.reason is Reason.IN_PLACE:  # the table's action column says only "update"
        reason = f"in place ({reason})"
    moved = moved_from(change)
    if moved is not None:
        reason = moved if change.action is Action.NOOP else f"{reason}; {moved}"
    return f"{reason} ({PREVENTED})" if marks_prevented(change) else reason


def warning_lines(changes: Sequence[ResourceChange]) -> list[str]:
    return [
        f"- {escape(c.address)} {VERBS[c.action]}: {escape(describe(c))}"
        for c in changes
        if destroys(c)
    ]


def warning_intro(doomed: Sequence[ResourceChange]) -> str:
    destroyed = sum(1 for c in doomed if c.action is Action.DELETE)
    counts = [(destroyed, "destroyed"), (len(doomed) - destroyed, "replaced")]
    kinds = ", ".join(f"{n} {word}" for n, word in counts if n)
    voices = "voice" if len(doomed) == 1 else "voices"
    return f"**This plan deletes the training jobs of {len(doomed)} {voices}**: {kinds}."


def changes_table(changes: Iterable[ResourceChange]) -> str:
    rows = [(c.address, LABELS[c.action], describe(c)) for c in changes]
    return table(["Address", "Action", "Reason"], rows)


def action_lists(changes: Sequence[ResourceChange], first: int) -> str:
    """Per action: its count and the first few addresses."""
    lines = []
    for action in LIST_ORDER:
        addresses = [c.address for c in changes if c.action is action]
        if addresses:
            lines.append(f"- **{LABELS[action]}** ({len(addresses)}){_some(addresses, first)}")
    return "\n".join(lines)


def _some(addresses: Sequence[str], first: int) -> str:
    if first <= 0:
        return ""
    shown = ", ".join(escape(a) for a in addresses[:first])
    rest = len(addresses) - first
    return f": {shown}" + (f", … and {rest} more" if rest > 0 else "")


def diff_block(text: str) -> str:
    """The text plan with signs moved to column 0, so GitHub's diff highlighting colours them."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)  # a longer fence than any backtick run inside it
    return "\n".join([f"{fence}diff", _SIGN_AT_INDENT.sub(r"\2\1", text), fence])


def details(text: str) -> str:
    return "\n".join(
        ["<details><summary>Details</summary>", "", diff_block(text), "", "</details>"]
    )
