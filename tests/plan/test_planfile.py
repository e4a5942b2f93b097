"""The saved plan file: exact round trip, atomic private writes, clear refusals."""

from __future__ import annotations

import dataclasses
import json
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reconciler.errors import ReconcilerError
from reconciler.operations.planfile import (
    DIGEST_KEY,
    content_digest,
    load_plan,
    save_plan,
    saved_config,
)
from reconciler.plan.findings import Finding
from reconciler.plan.model import Action, AttributeChange, Plan, Reason, ResourceChange, Step
from reconciler.plan.plancodec import plan_from_dict, plan_to_dict
from reconciler.views.plan_json import render_json
from tests.plan import fixtures as fx


@pytest.mark.parametrize(
    "make",
    [fx.every_action_plan, fx.no_changes_plan, fx.not_refreshed_plan, fx.destroy_plan, fx.plan],
)
def test_round_trip_is_exact(tmp_path: Path, make: Callable[[], Plan]) -> None:
    plan = make()
    path = tmp_path / "plan.json"
    save_plan(plan, path)
    loaded = load_plan(path)
    assert loaded == saved_form(plan)
    assert loaded.summary == plan.summary and sorted(loaded.names) == sorted(plan.names)
    assert [type(c.action) for c in loaded.changes] == [
        type(c.action) for c in saved_form(plan).changes
    ]
    assert plan_from_dict(plan_to_dict(plan)) == saved_form(plan)
    assert plan_from_dict(plan_to_dict(loaded)) == loaded


def saved_form(plan: Plan) -> Plan:
    """What a saved plan holds: no-ops with nothing to do only by name."""
    idle = [c for c in plan.changes if c.action is Action.NOOP and not c.steps]
    return dataclasses.replace(
        plan,
        changes=tuple(c for c in plan.changes if c not in idle),
        unchanged=tuple(c.name for c in idle),
    )


def test_a_saved_plan_holds_only_what_apply_does(tmp_path: Path) -> None:
    # 1,000 voices with nothing to do, one with an asset to record, one to create: the file
    # carries two changes and 1,000 names, so reading it costs the changes, not the catalogue.
    idle = [fx.steady(f"v{i:04d}") for i in range(1000)]
    assert all(not c.steps for c in idle)
    syncing = (dataclasses.replace(fx.steady("moved"), steps=(Step.SYNC,)),)
    plan = fx.plan(*idle, *syncing, fx.created("new"))
    path = tmp_path / "plan.json"
    save_plan(plan, path)
    data = json.loads(path.read_text())
    assert [c["name"] for c in data["changes"]] == [c.name for c in (*syncing, plan.changes[-1])]
    assert data["unchanged"] == [c.name for c in idle]
    assert data["format_version"] == 5 and data["replace"] == []
    loaded = load_plan(path)
    assert loaded.summary == plan.summary and loaded.summary.noop == 1000 + len(syncing)


def test_a_format_1_plan_with_every_voice_in_its_changes_still_loads(tmp_path: Path) -> None:
    plan = fx.every_action_plan()
    data = plan_to_dict(plan)
    data["format_version"], data["changes"] = 1, [_v1_change(c) for c in plan.changes]
    del data["unchanged"]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data | {DIGEST_KEY: content_digest(data)}))
    loaded = load_plan(path)
    assert loaded.unchanged == () and [c.name for c in loaded.changes] == plan.names
    assert all(c.steps == (Step.SYNC,) for c in loaded.changes if c.action is Action.NOOP)


def _v1_change(change: ResourceChange) -> dict[str, Any]:
    """Format 1 gave every no-op a sync step, and moved nothing."""
    steps = (Step.SYNC,) if change.action is Action.NOOP else change.steps
    old = dataclasses.replace(change, steps=steps, previous_address=None)
    encoded: dict[str, Any] = plan_to_dict(fx.plan(old))
    del encoded["changes"][0]["previous_address"]
    return encoded["changes"][0]  # type: ignore[no-any-return]


def test_a_voice_both_changed_and_unchanged_is_refused(tmp_path: Path) -> None:
    plan = fx.plan(fx.created("new"))
    data = plan_to_dict(plan)
    data["unchanged"] = ["new"]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data | {DIGEST_KEY: content_digest(data)}))
    with pytest.raises(ReconcilerError) as error:
        load_plan(path)
    assert "unchanged[0]: voice 'new' is in the plan twice" in one_line_naming(error, path)


def test_file_is_private_marked_and_leaves_no_temp_files(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text("old")
    save_plan(fx.every_action_plan(), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())["kind"] == "reconciler-plan"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]


def test_phone_fingerprint_round_trips_and_no_number_is_written(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    plan = fx.every_action_plan()
    save_plan(plan, path)
    text = path.read_text()
    assert fx.PHONE_FINGERPRINT in text
    # Job ids are hex and may hold digit runs; a phone number stands alone.
    assert not re.search(r"(?<![0-9a-zA-Z])\+?\d{11}(?![0-9a-zA-Z])", text)
    gentle = next(c for c in load_plan(path).changes if c.name == "gentle")
    assert gentle.after is not None
    assert gentle.after["phone"] == fx.PHONE_FINGERPRINT


def test_clear_phone_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    with pytest.raises(ReconcilerError, match="phone number in clear"):
        save_plan(fx.plan(fx.created("q", phone="13800138000")), path)
    assert not path.exists()


def test_clear_phone_in_an_attribute_change_alone_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    leak = AttributeChange("phone", fx.PHONE_FINGERPRINT, "13800138000")
    change = fx.change("q", Action.UPDATE, Reason.CHANGED, fx.recorded("q"), fx.spec("q"))
    with pytest.raises(ReconcilerError, match="phone number in clear"):
        save_plan(fx.plan(dataclasses.replace(change, changes=(leak,))), path)
    assert not path.exists()


def one_line_naming(error: pytest.ExceptionInfo[ReconcilerError], path: Path) -> str:
    message = str(error.value)
    assert "\n" not in message
    assert str(path) in message
    return message


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "is not valid JSON"),
        ('{"kind": "reconciler-plan", "format_', "is not valid JSON"),
        (b"\xff\xfe".decode("latin-1"), "is not valid JSON"),
        ("[1, 2]", "is not a reconciler plan file"),
        ('{"format_version": 1}', "is not a reconciler plan file"),
        ('{"kind": "reconciler-plan", "format_version": "1"}', "damaged: format_version is '1'"),
        ('{"kind": "reconciler-plan", "format_version": 1}', "damaged: changes: missing"),
    ],
)
def test_garbled_files(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "plan.json"
    path.write_text(content)
    with pytest.raises(ReconcilerError) as error:
        load_plan(path)
    assert expected in one_line_naming(error, path)


def test_damaged_field_is_named(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    data = plan_to_dict(fx.every_action_plan())
    data["changes"][2]["action"] = "obliterate"
    path.write_text(json.dumps(data))
    with pytest.raises(ReconcilerError) as error:
        load_plan(path)
    assert "changes[2].action: unknown value 'obliterate'" in one_line_naming(error, path)


def test_wrong_types_are_named(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    data = plan_to_dict(fx.every_action_plan())
    data["changes"][0]["remote"]["audit_errors"] = [3]
    path.write_text(json.dumps(data))
    with pytest.raises(
        ReconcilerError, match=r"changes\[0\]\.remote\.audit_errors\[0\]: expected str"
    ):
        load_plan(path)
    data = plan_to_dict(fx.every_action_plan())
    data["state_serial"] = True
    path.write_text(json.dumps(data))
    with pytest.raises(ReconcilerError, match=r"damaged: state_serial: expected int, found bool"):
        load_plan(path)


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_bytes(b"\xff\xfe{")
    with pytest.raises(ReconcilerError) as error:
        load_plan(path)
    assert "is not UTF-8" in one_line_naming(error, path)


def test_json_rendering_is_not_a_plan_file(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(render_json(fx.every_action_plan()))
    with pytest.raises(ReconcilerError) as error:
        load_plan(path)
    assert "-json` output cannot be applied" in one_line_naming(error, path)


def test_newer_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    data = plan_to_dict(fx.every_action_plan())
    data["format_version"] = 99
    path.write_text(json.dumps(data))
    with pytest.raises(ReconcilerError) as error:
        load_plan(path)
    assert "written by a newer reconciler (plan format 99" in one_line_naming(error, path)


def test_missing_file_and_unwritable_place(tmp_path: Path) -> None:
    with pytest.raises(ReconcilerError, match="does not exist"):
        load_plan(tmp_path / "nope.json")
    with pytest.raises(ReconcilerError, match="cannot write plan file"):
        save_plan(fx.plan(), tmp_path / "missing-dir" / "plan.json")


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d["changes"][0].update(action="delete"),
        lambda d: d["changes"].append(dict(d["changes"][0], name="extra")),
        lambda d: d["changes"][1]["remote"].update(job_id="another-job"),
        lambda d: d.update(destroy=not d["destroy"]),
        lambda d: d.update(targets=["voice.*"]),
    ],
)
def test_any_edit_breaks_the_content_digest(
    tmp_path: Path, edit: Callable[[dict[str, Any]], None]
) -> None:
    path = tmp_path / "plan.json"
    save_plan(fx.every_action_plan(), path)
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data, indent=2))
    with pytest.raises(ReconcilerError) as error:
        load_plan(path)
    assert "was modified after it was made" in one_line_naming(error, path)


def test_reformatting_keeps_the_content_digest(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    plan = fx.every_action_plan()
    save_plan(plan, path)
    data = json.loads(path.read_text())
    path.write_text(json.dumps(dict(reversed(data.items()))))  # other key order, no indent
    assert load_plan(path) == saved_form(plan)


FINDING = Finding("warning", "voices/voices.yaml", 7, 17, "voices.news.data.dir", "3.wav: short")


def test_findings_and_the_configuration_round_trip(tmp_path: Path) -> None:
    (tmp_path / "voices").mkdir()
    (tmp_path / "voices" / "voices.yaml").write_text("version: 1\n")
    (tmp_path / "plans").mkdir()
    path = tmp_path / "plans" / "tfplan"
    plan = dataclasses.replace(fx.every_action_plan(), findings=(FINDING,))
    save_plan(plan, path, config=tmp_path / "voices")
    loaded = load_plan(path)
    assert loaded.findings == (FINDING,)
    assert loaded.config_path == "../voices"  # relative: the pair may move together
    found = saved_config(loaded, path)
    assert found is not None and found.resolve() == (tmp_path / "voices").resolve()


def test_a_plan_file_moved_away_from_its_configuration_is_refused(tmp_path: Path) -> None:
    (tmp_path / "voices").mkdir()
    (tmp_path / "voices" / "voices.yaml").write_text("version: 1\n")
    made = tmp_path / "tfplan"
    save_plan(fx.plan(fx.created("news")), made, config=tmp_path / "voices")
    moved = tmp_path / "elsewhere" / "tfplan"
    moved.parent.mkdir()
    moved.write_bytes(made.read_bytes())
    # "elsewhere/voices" does not exist; "elsewhere/.." would be a folder without YAML.
    with pytest.raises(ReconcilerError) as error:
        saved_config(load_plan(moved), moved)
    assert "made from the configuration at 'voices'" in one_line_naming(error, moved)
    assert "was the plan file moved?" in str(error.value) and "--config" in (error.value.hint or "")
    (moved.parent / "voices").mkdir()  # a folder of that name, but no configuration in it
    with pytest.raises(ReconcilerError, match="was the plan file moved"):
        saved_config(load_plan(moved), moved)


def test_a_format_4_plan_has_no_findings_and_no_configuration(tmp_path: Path) -> None:
    data = plan_to_dict(fx.every_action_plan())
    data["format_version"] = 4
    del data["findings"], data["config"]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data | {DIGEST_KEY: content_digest(data)}))
    loaded = load_plan(path)
    assert loaded.findings == () and loaded.config_path is None
    assert saved_config(loaded, path) is None  # apply then takes --config (default .)


def test_a_damaged_finding_is_named(tmp_path: Path) -> None:
    data = plan_to_dict(dataclasses.replace(fx.plan(), findings=(FINDING,)))
    data["findings"][0]["severity"] = "fatal"
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data | {DIGEST_KEY: content_digest(data)}))
    with pytest.raises(ReconcilerError) as error:
        load_plan(path)
    assert "findings[0].severity: unknown value 'fatal'" in one_line_naming(error, path)
