"""The README cannot rot: its test command is CI's, its configuration reference is the schema's."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## )", README, re.M | re.S)
    assert match, f"README has no '## {title}' section"
    return match.group(1)


def first_sh_block(text: str) -> str:
    match = re.search(r"```sh\n(.*?)```", text, re.S)
    assert match
    return match.group(1).strip()


def test_ci_runs_exactly_the_readme_test_command() -> None:
    command = first_sh_block(section("Run the tests"))
    assert "\n" not in command  # one line
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert command in ci


def test_quick_start_is_one_line() -> None:
    command = first_sh_block(section("Quick start"))
    assert "\n" not in command and "examples/quickstart" in command


def schema_paths(node: dict[str, Any], defs: dict[str, Any], path: str = "") -> set[str]:
    if "$ref" in node:
        node = {**defs[node["$ref"].rsplit("/", 1)[-1]], **node}
        node.pop("$ref")
    found = set()
    for key, child in node.get("properties", {}).items():
        child_path = f"{path}.{key}" if path else key
        found.add(child_path)
        if child_path != "defaults":  # documented as "any voice field"
            found |= schema_paths(child, defs, child_path)
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        found.add(f"{path}.<name>")
        found |= schema_paths(extra, defs, f"{path}.<name>")
    return found


def test_configuration_reference_matches_the_schema() -> None:
    schema = json.loads((REPO / "schemas" / "voices.schema.json").read_text(encoding="utf-8"))
    # Objects whose every field has its own row need no row of their own.
    containers = {
        "provider",
        "provider.rate_limits",
        "state",
        "voices",
        "voices.<name>.data",
        "voices.<name>.lifecycle",
        "voices.<name>.preview",
        "voices.<name>.checks",
    }
    expected = schema_paths(schema, schema["$defs"]) - containers
    documented = set(re.findall(r"^\| `([^`]+)` \|", section("Configuration reference"), re.M))
    assert documented == expected, {
        "missing from README": sorted(expected - documented),
        "not in the schema": sorted(documented - expected),
    }
