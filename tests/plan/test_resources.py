"""Which changes consume a training resource, and how a plan carries and shows the count."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from reconciler.operations.planfile import load_plan, save_plan
from reconciler.plan.model import Action, Reason, RemoteView, ResourceChange
from reconciler.plan.resources import ResourceNeed, resource_needs
from reconciler.views.plan_text import render_text
from tests.plan import fixtures as fx

LEFT = {"basic": 1, "middle": 5, "advance": 0, "third_party_cmww": None}


def _update(
    name: str, reason: Reason, state: str, action: Action = Action.UPDATE
) -> ResourceChange:
    return fx.change(
        name, action, reason, fx.recorded(name), fx.spec(name), remote=fx.remote(name, state)
    )


def test_creates_replaces_and_unsubmitted_jobs_consume_one_each() -> None:
    changes = [
        fx.created("a"),
        fx.created("b", edition="advanced"),
        _update("c", Reason.CHANGED, "CREATING"),  # never submitted: its submit consumes
        _update("d", Reason.UNFINISHED, "CREATING", Action.RESUME),
        fx.change(
            "e",
            Action.REPLACE,
            Reason.ATTRIBUTES,
            fx.recorded("e"),
            fx.spec("e", edition="premium"),
            remote=fx.remote("e", "SUCCEED"),
        ),
    ]
    needs = resource_needs(changes, LEFT)
    assert needs == (
        ResourceNeed("basic", 3, 1, ("voice.a", "voice.c", "voice.d")),
        ResourceNeed("advanced", 1, 5, ("voice.b",)),
        ResourceNeed("premium", 1, 0, ("voice.e",)),
    )
    assert [n.short for n in needs] == [2, 0, 1]
    assert [n.quota for n in needs] == ["basic", "middle", "advance"]


def test_rejected_jobs_resubmit_on_the_resource_they_hold() -> None:
    resubmit = _update("a", Reason.RESUBMIT, "AUDIT_FAILED")
    replaced = fx.change(
        "b",
        Action.REPLACE,
        Reason.FORCED,
        fx.recorded("b"),
        fx.spec("b"),
        remote=fx.remote("b", "AUDIT_FAILED"),
    )
    other_edition = dataclasses.replace(replaced, name="c", address="voice.c")
    other_edition = dataclasses.replace(other_edition, after=fx.spec("c", edition="advanced"))
    submitted = _update("d", Reason.CHANGED, "SYSTEM_AUDITING")
    removed = fx.change("e", Action.DELETE, Reason.REMOVED, fx.recorded("e"), None)
    needs = resource_needs([resubmit, replaced, other_edition, submitted, removed], LEFT)
    assert needs == (ResourceNeed("advanced", 1, 5, ("voice.c",)),)


def test_unknown_availability_is_never_short() -> None:
    (need,) = resource_needs([fx.created("a", edition="third-party")], LEFT)
    assert (need.available, need.short) == (None, 0)
    assert need.describe() == "needs 1 third-party, availability unknown"
    (need,) = resource_needs([fx.created("a")], None)
    assert need.available is None
    assert resource_needs([fx.change("a", Action.NOOP, Reason.UP_TO_DATE, None, None)], LEFT) == ()


def test_plan_carries_its_needs_through_a_saved_file_and_the_text(tmp_path: Path) -> None:
    plan = fx.plan(fx.created("a"), fx.created("b"))
    plan = dataclasses.replace(plan, resources=resource_needs(plan.changes, LEFT))
    save_plan(plan, tmp_path / "plan.json")
    assert load_plan(tmp_path / "plan.json") == plan
    text = render_text(plan)
    assert "  needs 2 basic, 1 available: 1 short, apply will refuse\n" in text
    unrefreshed = dataclasses.replace(
        plan, refreshed=False, resources=resource_needs(plan.changes, None)
    )
    assert "  needs 2 basic, availability unknown (not refreshed)" in render_text(unrefreshed)
    # Without needs the plan renders exactly as it did before resources were counted.
    bare = dataclasses.replace(plan, resources=())
    assert "Training resources" not in render_text(bare)


def test_remote_view_default_counts_as_unsubmitted() -> None:
    resume = fx.change("a", Action.RESUME, Reason.UNFINISHED, fx.recorded("a"), fx.spec("a"))
    assert resume.remote == RemoteView()
    assert resource_needs([resume], LEFT)[0].needed == 1
