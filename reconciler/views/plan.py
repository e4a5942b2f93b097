"""What `plan` shows: the plan as text, markdown or plan JSON (--format), or as the UI
stream (--json); one interface, chosen once in the verb module from its flags."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from reconciler.config.diagnostics import Diagnostic
from reconciler.environment import Environment
from reconciler.plan.model import Plan
from reconciler.views.base import TextView, View
from reconciler.views.plan_formats import render
from reconciler.views.provenance import Provenance
from reconciler.views.stream import JsonStream, JsonView, json_stream


class PlanView(View, Protocol):
    warn: Callable[[Diagnostic], None] | None  # the data preflight's warnings (None: stderr)

    def show(self, plan: Plan) -> None: ...

    def saved(self, name: str) -> None:
        """The plan was saved as ``name`` (--out)."""


def plan_view(
    env: Environment, *, json: bool, fmt: str, color: bool, pretty: bool = False
) -> PlanView:
    return PlanJson(json_stream(env)) if json else PlanText(env, fmt, color=color, pretty=pretty)


class PlanText(TextView):
    def __init__(self, env: Environment, fmt: str, *, color: bool, pretty: bool = False) -> None:
        super().__init__(env)
        self.fmt = fmt
        self.color = color
        self.pretty = pretty
        self.warn: Callable[[Diagnostic], None] | None = None

    def show(self, plan: Plan) -> None:
        # A comment made in CI names the commit it planned and links the run.
        provenance = Provenance.from_environment(self.env.environ)
        self.env.out(
            render(plan, self.fmt, color=self.color, pretty=self.pretty, provenance=provenance)
        )

    def saved(self, name: str) -> None:
        if self.fmt == "text":
            self.env.out(
                f"\nSaved the plan to {name}: apply exactly it with `reconciler apply {name}`."
            )


class PlanJson(JsonView):
    def __init__(self, stream: JsonStream) -> None:
        super().__init__(stream)
        self.warn: Callable[[Diagnostic], None] | None = stream.warn

    def show(self, plan: Plan) -> None:
        self.stream.plan(plan)

    def saved(self, name: str) -> None:
        pass  # the stream has no word for it
