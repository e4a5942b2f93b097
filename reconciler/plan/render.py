"""Pick a renderer by format name."""

from __future__ import annotations

from reconciler.defaults import PLAN_FORMATS
from reconciler.plan.model import Plan
from reconciler.plan.render_json import render_json
from reconciler.plan.render_markdown import render_markdown
from reconciler.plan.render_text import render_text

FORMATS = PLAN_FORMATS


def render(plan: Plan, fmt: str, *, color: bool = False) -> str:
    if fmt == "json":
        return render_json(plan).rstrip("\n")
    if fmt == "markdown":
        return render_markdown(plan)
    return render_text(plan, color=color)
