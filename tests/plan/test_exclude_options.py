"""--exclude in the planner: the opposite of --target, checked like it, kept in the plan."""

from __future__ import annotations

import pytest

from reconciler.plan.drift import is_complete
from reconciler.plan.inputs import DesiredVoice
from reconciler.plan.planner import PlanError, PlanOptions, make_plan
from tests.plan.test_planner import seen, spec, state

DESIRED = {
    name: DesiredVoice(name, spec(voice_name=name)) for name in ("news-a", "news-b", "story")
}


def planned(**options: object) -> list[str]:
    plan = make_plan(DESIRED, state(), seen(asked=()), PlanOptions(**options))  # type: ignore[arg-type]
    assert plan.excludes == options.get("excludes", ())
    assert is_complete(plan) is not (bool(plan.excludes) or bool(plan.targets))
    return [c.name for c in plan.changes]


def test_excluded_voices_are_not_planned() -> None:
    assert planned() == ["news-a", "news-b", "story"]
    assert planned(excludes=("voice.news-*",)) == ["story"]
    assert planned(targets=("voice.news-*",), excludes=("voice.news-b",)) == ["news-a"]


def test_an_exclude_matching_nothing_is_an_error_unless_the_plan_is_scoped() -> None:
    with pytest.raises(PlanError, match=r"--exclude voice\.nope: matches no voice"):
        planned(excludes=("voice.nope",))
    # Apply verifying a saved plan sees only the voices the file changes.
    assert planned(excludes=("voice.nope",), scope=frozenset({"story"})) == ["story"]
