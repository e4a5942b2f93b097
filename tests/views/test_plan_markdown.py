"""The pull-request comment: golden renderings, escaping, and the size limit."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from reconciler.plan.model import Action, Plan
from reconciler.views.plan_markdown import render_markdown
from reconciler.views.plan_markdown_parts import MARKER, escape
from tests.plan import fixtures as fx
from tests.plan.golden import assert_golden

FENCE = re.compile(r"^(`{3,})")


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("every_action", fx.every_action_plan),
        ("no_changes", fx.no_changes_plan),
        ("not_refreshed", fx.not_refreshed_plan),
        ("destroy", fx.destroy_plan),
    ],
)
def test_golden_markdown(name: str, make: Callable[[], Plan]) -> None:
    assert_golden(f"{name}.md", render_markdown(make()))


def assert_well_formed(document: str) -> None:
    """Fences closed by their own length; every table row complete and as wide as its header."""
    lines = document.splitlines()
    open_fence: str | None = None
    columns: int | None = None
    for line in lines:
        match = FENCE.match(line)
        if open_fence is None and match:
            open_fence = match.group(1)
            continue
        if open_fence is not None:
            if line.strip() == open_fence:
                open_fence = None
            continue
        if line.startswith("|"):
            assert line.endswith(" |"), f"half a table row: {line!r}"
            cells = len(re.findall(r"(?<!\\)\|", line)) - 1
            columns = columns or cells
            assert cells == columns, f"row with {cells} cells in a {columns}-column table: {line!r}"
        else:
            columns = None
    assert open_fence is None, "unbalanced code fence"


def test_marker_first_and_warnings_before_the_tables() -> None:
    document = render_markdown(fx.every_action_plan())
    assert document.splitlines()[0] == MARKER
    assert_well_formed(document)
    warning = document.index("> [!WARNING]")
    assert warning < document.index("| Action | Count |") < document.index("| Address |")
    for address in ("voice.broken", "voice.calm", "voice.forced", "voice.gone", "voice.old"):
        assert f"> - {address} " in document
    assert "> - voice.gentle" not in document


def test_details_hold_the_text_plan_as_a_diff() -> None:
    document = render_markdown(fx.every_action_plan())
    assert "<details><summary>Details</summary>\n\n```diff\n" in document
    assert '\n+       voice_name      = "Gentle female"\n' in document
    assert "\x1b[" not in document


def test_no_changes_comment() -> None:
    document = render_markdown(fx.no_changes_plan())
    assert "**No changes. Your voices match the configuration.**" in document
    assert "Training: 2 SUCCEED, 1 AUDIT\\_FAILED, 1 PROCESSING." in document
    assert "[!WARNING]" not in document


def test_not_refreshed_note() -> None:
    document = render_markdown(fx.not_refreshed_plan())
    assert "> [!NOTE]\n> Remote state was not refreshed (--refresh=false)" in document


def test_escape_makes_values_inert() -> None:
    assert escape("a|b") == "a\\|b"
    assert escape("<script>") == "&lt;script&gt;"
    assert escape("`x`") == "\\`x\\`"
    assert escape("two\nlines") == "two lines"


def test_hostile_values_do_not_break_tables_or_fences() -> None:
    name = "a|b<c>`d`"
    change = fx.removed(name, voice_name="```\n| forged | row |")
    document = render_markdown(fx.plan(change, fx.created("x", voice_name="````")))
    assert_well_formed(document)
    assert "| voice.a\\|b&lt;c&gt;\\`d\\` | destroy |" in document
    assert "<c>" not in document.split("<details>")[0]  # inside the code block it is inert
    assert "`````diff" in document  # longer than any backtick run inside


def test_phone_is_never_shown() -> None:
    plan = fx.plan(fx.created("q", phone="13800138000"), fx.removed("r", phone="13800138000"))
    for document in (render_markdown(plan), render_markdown(fx.every_action_plan())):
        assert "13800138000" not in document
        assert "hmac-sha256" not in document


def test_ten_thousand_changes_fit_in_a_comment() -> None:
    plan = fx.large_plan(10_000)
    document = render_markdown(plan)
    assert len(document) < 65_000
    assert document.startswith(MARKER)
    assert_well_formed(document)
    doomed = [c for c in plan.changes if c.action in (Action.DELETE, Action.REPLACE)]
    listed = all(f"{c.address}," in document or f"{c.address}\n" in document for c in doomed)
    assert listed or f"deletes the training jobs of {len(doomed)} voices**" in document
    assert "the full plan is in the CI log" in document


def test_shrinks_by_dropping_noop_rows_first() -> None:
    plan = fx.plan(*(fx.steady(f"s{i:03d}") for i in range(200)), fx.removed("old"))
    full = render_markdown(plan, max_chars=1_000_000)
    assert "| voice.s000 | no-op |" in full
    limited = render_markdown(plan, max_chars=len(full) - 1)
    assert "| voice.s000 |" not in limited
    assert "200 voices with no changes not listed." in limited
    assert "```diff" in limited


def test_a_mid_sized_plan_keeps_every_destroy_address() -> None:
    plan = fx.large_plan(1_000)
    document = render_markdown(plan)
    assert len(document) <= 65_000
    assert_well_formed(document)
    for change in plan.changes:
        if change.action in (Action.DELETE, Action.REPLACE):
            assert change.address in document


@pytest.mark.parametrize("max_chars", [5_000, 1_000, 300, 60, 10])
def test_tiny_limits_are_respected(max_chars: int) -> None:
    document = render_markdown(fx.large_plan(500), max_chars=max_chars)
    assert len(document) <= max_chars
    assert_well_formed(document)
    if max_chars >= len(MARKER):
        assert document.startswith(MARKER)


def test_deterministic() -> None:
    assert render_markdown(fx.every_action_plan()) == render_markdown(fx.every_action_plan())


def test_prevented_destroy_is_marked_in_the_warning() -> None:
    document = render_markdown(fx.plan(fx.removed("old", prevent_destroy=True)))
    assert "> - voice.old will be destroyed: removed from the configuration " in document
    assert "(prevented by lifecycle.prevent\\_destroy)" in document
