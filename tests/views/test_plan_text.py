"""The text plan: golden renderings plus the rules a reviewer relies on."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from reconciler.plan.model import Action, AttributeChange, Plan, Reason
from reconciler.views.plan_text import render_text
from tests.plan import fixtures as fx
from tests.plan.golden import assert_golden

CLEAR_PHONE = "13800138000"


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("every_action", fx.every_action_plan),
        ("no_changes", fx.no_changes_plan),
        ("not_refreshed", fx.not_refreshed_plan),
        ("destroy", fx.destroy_plan),
    ],
)
def test_golden_text(name: str, make: Callable[[], Plan]) -> None:
    assert_golden(f"{name}.txt", render_text(make()))


def test_golden_text_with_colour() -> None:
    assert_golden("every_action.color.txt", render_text(fx.every_action_plan(), color=True))


def test_golden_text_with_noop() -> None:
    assert_golden("every_action.noop.txt", render_text(fx.every_action_plan(), show_noop=True))


def test_every_action_has_its_headline() -> None:
    text = render_text(fx.every_action_plan(), show_noop=True)
    for verb in ("will be created", "will be resumed", "will be updated in place"):
        assert verb in text
    for verb in ("must be replaced", "will be destroyed", "will not change"):
        assert verb in text


@pytest.mark.parametrize(
    "phrase",
    [
        "# voice.echo will be created (drift: the recorded job no longer exists remotely)",
        "# voice.broken must be replaced (because the remote job FAILED)",
        "# voice.forced must be replaced (because of --replace)",
        "# voice.old will be destroyed (removed from the configuration)",
        "# voice.lost will be created (recovering an interrupted create)",
        f"# voice.aria will be resumed (adopting job {fx.job_id('aria')} found remotely)",
        '~ voice_name = "Calm" -> "Calm male" # forces replacement',
        "# the job will be submitted",
        "# audit error: background noise in 3 of 20 recordings",
    ],
)
def test_reasons_and_notes_are_shown(phrase: str) -> None:
    assert phrase in render_text(fx.every_action_plan())


def test_no_colour_unless_asked() -> None:
    assert "\x1b[" not in render_text(fx.every_action_plan())
    coloured = render_text(fx.every_action_plan(), color=True)
    assert "\x1b[32m+\x1b[0m voice" in coloured
    assert "\x1b[31m-\x1b[0m/\x1b[32m+\x1b[0m voice" in coloured
    assert "\x1b[33m~\x1b[0m voice" in coloured
    assert "\x1b[1m  # voice.gentle will be created\x1b[0m" in coloured


def test_colour_changes_nothing_but_escape_codes() -> None:
    plan = fx.every_action_plan()
    plain = re.sub(r"\x1b\[[0-9;]*m", "", render_text(plan, color=True))
    assert plain == render_text(plan)


def test_noop_voices_are_listed_only_on_request() -> None:
    plan = fx.every_action_plan()
    assert "voice.steady" not in render_text(plan)
    assert "# voice.steady will not change" in render_text(plan, show_noop=True)


def test_audit_errors_of_a_noop_voice_are_always_shown() -> None:
    text = render_text(fx.every_action_plan())
    assert "audit error: speaker changes in recording 12" in text


def test_ends_with_the_summary_line() -> None:
    text = render_text(fx.every_action_plan())
    assert text.splitlines()[-1] == (
        "Plan: 1 to restore, 3 to create, 5 to update, 3 to replace, 2 to destroy, 1 to move, "
        "1 to forget."
    )
    assert not text.endswith("\n")


def test_no_changes_summarises_training_progress() -> None:
    lines = render_text(fx.no_changes_plan()).splitlines()
    assert lines[-2:] == [
        "No changes. Your voices match the configuration.",
        "Training: 2 SUCCEED, 1 AUDIT_FAILED, 1 PROCESSING.",
    ]
    assert not any(line.startswith("Plan:") for line in lines)


def test_not_refreshed_is_said_first() -> None:
    first = render_text(fx.not_refreshed_plan()).splitlines()[0]
    assert first.startswith("Note: remote state was not refreshed (--refresh=false)")
    assert "not refreshed" not in render_text(fx.every_action_plan())


def test_destroy_plan_headline() -> None:
    text = render_text(fx.destroy_plan())
    assert "reconciler will destroy the following voices:" in text
    assert "--target voice.aria, voice.g*" in text
    empty = render_text(fx.plan(destroy=True))
    assert empty == "No changes. No voices need to be destroyed."


def test_prevent_destroy_is_marked_on_deletes_and_replaces_only() -> None:
    plan = fx.plan(
        fx.removed("old", prevent_destroy=True),
        fx.created("new", prevent_destroy=True),
    )
    text = render_text(plan)
    assert text.count("# prevented by lifecycle.prevent_destroy") == 1
    assert text.index("prevented") < text.index('voice "old"')


def test_phone_is_never_shown() -> None:
    spec = fx.spec("p", phone=CLEAR_PHONE)
    change = fx.change(
        "p",
        Action.UPDATE,
        Reason.CHANGED,
        {**spec, "nested": {"phone": CLEAR_PHONE}},
        spec,
        changes=(AttributeChange("phone", "+86 138 0013 8000", CLEAR_PHONE),),
    )
    plan = fx.plan(change, fx.created("q", phone=CLEAR_PHONE), fx.removed("r", phone=CLEAR_PHONE))
    for text in (render_text(plan, show_noop=True), render_text(fx.every_action_plan())):
        assert CLEAR_PHONE not in text
        assert "0013" not in text
        assert "hmac-sha256" not in text
    assert re.search(r"~ phone +=  ?\(sensitive value\)$", render_text(plan), re.MULTILINE)


def test_digests_are_shortened_unless_that_hides_the_change() -> None:
    text = render_text(fx.every_action_plan())
    assert f'"{fx.digest("gentle")[:19]}…"' in text
    assert fx.digest("gentle") not in text
    twin_a, twin_b = "sha256:" + "a" * 12 + "1" * 52, "sha256:" + "a" * 12 + "2" * 52
    before, after = fx.recorded("t", data_digest=twin_a), fx.spec("t", data_digest=twin_b)
    change = fx.change(
        "t",
        Action.UPDATE,
        Reason.CHANGED,
        before,
        after,
        changes=(AttributeChange("data_digest", twin_a, twin_b),),
    )
    assert f'"{twin_a}" -> "{twin_b}"' in render_text(fx.plan(change))


def test_values_are_quoted_so_odd_strings_stay_visible() -> None:
    text = render_text(fx.plan(fx.created("odd", voice_name=' spaced "name" ', tag="")))
    assert '+ voice_name      = " spaced \\"name\\" "' in text
    assert '+ tag             = ""' in text
