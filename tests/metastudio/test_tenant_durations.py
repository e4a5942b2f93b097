"""The client's op 17 against the emulator: typed durations, raw kept, the SDK's path."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from reconciler.cli import main
from reconciler.data import tenant_duration_limits
from reconciler.embedded import embedded_clients
from reconciler.emulator import Emulator, Tenant
from reconciler.environment import Environment
from reconciler.metastudio import TenantDurations
from tests.metastudio.conftest import PROJECT, emulator_config, make_client
from tests.metastudio.helpers import stats


def test_show_tenant_duration_cfg_reads_every_edition(tmp_path: Path) -> None:
    tenant = Tenant.from_dict({"durations": {"cmww_min": 200, "ljzn_advice_value": 320}})
    config = emulator_config(tmp_path / "emulator", tenant=tenant)
    with Emulator(config, host="127.0.0.1", port=0) as emulator:
        with make_client(emulator.base_url) as client:
            durations = client.show_tenant_duration_cfg()
        assert stats(emulator.base_url) == {"show_tenant_duration_cfg": 1}
    assert durations.tenant_id == PROJECT
    basic = durations.editions["basic"]
    assert (basic.min, basic.max, basic.advice_value) == (180, 600, 300)
    assert durations.editions["cmww"].min == 200
    assert durations.editions["ljzn"].advice_value == 320
    assert set(durations.editions) == {"basic", "middle", "advance", "flexus", "cmww", "ljzn"}
    assert (durations.short_assess_min, durations.short_assess_max) == (10, 60)
    assert durations.raw["middle_max"] == 1800


# The number rules, each value as the wire could carry it (JSON text, so NaN, Infinity and
# integers of any size arrive the way Python's parser hands them over).
@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        ("600", 600.0),
        ("0", 0.0),  # a real limit of zero, not "unknown"
        ("59.5", 59.5),  # a fraction is kept, not rounded
        ("1e3", 1000.0),
        ("null", None),
        ("-1", None),
        ("-0.5", None),
        ("NaN", None),
        ("Infinity", None),
        ("-Infinity", None),
        ("1" + "0" * 400, None),  # an int beyond a float's range
        ("true", None),
        ("false", None),
        ('"600"', None),  # strings are never read as numbers
        ('"n/a"', None),
        ("[600]", None),
        ('{"seconds": 600}', None),
    ],
)
def test_every_duration_field_follows_the_same_number_rules(
    wire: str, expected: float | None
) -> None:
    fields = ["basic_min", "middle_max", "cmww_advice_value", "short_assess_min"]
    body = json.loads("{" + ", ".join(f'"{name}": {wire}' for name in fields) + "}")
    durations = TenantDurations.from_raw(body)
    read = [
        durations.editions["basic"].min,
        durations.editions["middle"].max,
        durations.editions["cmww"].advice_value,
        durations.short_assess_min,
    ]
    assert read == [expected] * 4
    assert all(value is None or type(value) is float for value in read)


def test_a_missing_field_is_unknown_and_the_others_still_count() -> None:
    durations = TenantDurations.from_raw({"tenant_id": 7, "basic_min": 60, "basic_max": "x"})
    assert durations.tenant_id is None  # not a string
    basic = durations.editions["basic"]
    assert (basic.min, basic.max, basic.advice_value) == (60.0, None, None)
    assert set(durations.editions) == {"basic", "middle", "advance", "flexus", "cmww", "ljzn"}
    assert all(r.min is None for prefix, r in durations.editions.items() if prefix != "basic")
    assert (durations.short_assess_min, durations.short_assess_max) == (None, None)


@pytest.mark.parametrize("body", [None, [], [{"basic_min": 60}], "basic_min=60", 60])
def test_a_body_that_is_not_an_object_has_no_limits(body: object) -> None:
    durations = TenantDurations.from_raw(body)
    assert durations.tenant_id is None and dict(durations.raw) == {}
    ranges = durations.editions.values()
    assert all((r.min, r.max, r.advice_value) == (None, None, None) for r in ranges)
    assert tenant_duration_limits(durations) == {}  # every edition keeps its defaults


CONFIG = "version: 1\nprovider:\n  emulator: emu\nvoices: {}\n"


def test_embedded_emulator_reads_tenant_json_from_its_folder(tmp_path: Path) -> None:
    (tmp_path / "voices.yaml").write_text(CONFIG)
    (tmp_path / "emu").mkdir()
    (tmp_path / "emu" / "tenant.json").write_text(json.dumps({"durations": {"basic_min": 1}}))
    with embedded_clients(tmp_path / "emu")() as client:
        assert client.show_tenant_duration_cfg().editions["basic"].min == 1


def test_embedded_emulator_without_tenant_json_has_the_defaults(tmp_path: Path) -> None:
    (tmp_path / "voices.yaml").write_text(CONFIG)
    with embedded_clients(tmp_path / "emu")() as client:
        assert client.show_tenant_duration_cfg().editions["basic"].min == 180


def test_bad_embedded_tenant_json_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "voices.yaml").write_text(CONFIG)
    (tmp_path / "emu").mkdir()
    (tmp_path / "emu" / "tenant.json").write_text('{"durations": {"basic_min": -5}}')
    stdout, stderr = io.StringIO(), io.StringIO()
    env = Environment(stdout=stdout, stderr=stderr, environ={}, cwd=tmp_path, home=tmp_path)
    code = main(["plan", str(tmp_path)], env=env)
    errors = [line for line in stderr.getvalue().splitlines() if line.startswith("Error")]
    assert code == 1
    assert len(errors) == 1 and "tenant.json: durations.basic_min" in errors[0], stderr.getvalue()
    assert "unexpected" not in stderr.getvalue().lower()
