"""Pick a renderer by format name."""

from __future__ import annotations

from reconciler.defaults import PLAN_FORMATS
from reconciler.plan.model import Plan
from reconciler.views.plan_json import render_json
from reconciler.views.plan_markdown import render_markdown
from reconciler.views.plan_text import render_text

FORMATS = PLAN_FORMATS


def render(plan: Plan, fmt: str, *, color: bool = False) -> str:
    if fmt == "json":
        return render_json(plan).rstrip("\n")
    if fmt == "markdown":
        return render_markdown(plan)
    return render_text(plan, color=color)
