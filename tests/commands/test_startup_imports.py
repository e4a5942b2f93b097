"""``reconciler --version`` and ``--help`` load no verb's machinery: start-up stays cheap.

Counted as modules, not timed: a fresh interpreter runs the real entry point and reports
what it imported. Registering a command's options must not pull in the HTTP client, the
YAML and JSON Schema libraries, deepdiff, the apply flow or the emulator; each verb imports
those when it runs.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = (
    "requests",
    "urllib3",
    "yaml",
    "jsonschema",
    "deepdiff",
    "numpy",
    "tqdm",
    "reconciler.apply",
    "reconciler.config",
    "reconciler.data",
    "reconciler.emulator",
    "reconciler.metastudio",
    "reconciler.operations",
)

PROBE = """
import contextlib, io, json, sys
from reconciler.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    code = main(sys.argv[1:])
print(json.dumps({"code": code, "out": out.getvalue(), "modules": sorted(sys.modules)}))
"""


def started(*argv: str) -> dict[str, object]:
    run = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, check=True
    )
    report: dict[str, object] = json.loads(run.stdout)
    return report


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["plan", "--help"]])
def test_start_up_loads_no_heavy_module(argv: list[str]) -> None:
    report = started(*argv)
    assert report["code"] == 0 and "reconciler" in str(report["out"])
    modules = report["modules"]
    assert isinstance(modules, list)
    loaded = [m for m in modules if any(m == h or m.startswith(f"{h}.") for h in HEAVY)]
    assert loaded == []


def test_running_a_verb_still_loads_what_it_needs() -> None:
    """The probe can see heavy modules: a verb that reads YAML shows yaml among them."""
    report = started("validate", "/nonexistent/voices.yaml")
    modules = report["modules"]
    assert isinstance(modules, list) and "yaml" in modules and report["code"] == 1
