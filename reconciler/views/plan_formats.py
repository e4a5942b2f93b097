"""Pick a renderer by format name."""

from __future__ import annotations

from reconciler.defaults import PLAN_FORMATS
from reconciler.plan.model import Plan
from reconciler.views.plan_json import render_json
from reconciler.views.plan_markdown import render_markdown
from reconciler.views.plan_text import render_text
from reconciler.views.provenance import Provenance

FORMATS = PLAN_FORMATS


def render(
    plan: Plan,
    fmt: str,
    *,
    color: bool = False,
    pretty: bool = False,
    provenance: Provenance | None = None,
) -> str:
    """``pretty``: indented JSON; ``provenance``: the commit and CI run a comment names."""
    if fmt == "json":
        return render_json(plan, pretty=pretty).rstrip("\n")
    if fmt == "markdown":
        return render_markdown(plan, provenance=provenance)
    return render_text(plan, color=color)
