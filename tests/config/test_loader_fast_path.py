"""libyaml speeds up loading, but must never crash the interpreter or change what is read."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from reconciler.config.loader import parse_yaml

CONFIG = """\
version: 1
provider: {region: cn-north-4}
voices:
  a:
    edition: basic
    voice_name: "Ä \\u00e9 voice"   # non-ASCII before a later mark
    data: {dir: data/a}
  b: {edition: premium, voice_name: B, data: {package: b.zip}}
"""


def test_both_loaders_read_the_same_data_and_locations(monkeypatch: pytest.MonkeyPatch) -> None:
    fast, _ = parse_yaml(CONFIG, Path("v.yaml"))
    monkeypatch.setattr(yaml, "__with_libyaml__", False)
    slow, _ = parse_yaml(CONFIG, Path("v.yaml"))
    assert fast is not None and slow is not None
    assert fast.data == slow.data
    assert fast.value_marks == slow.value_marks and fast.key_marks == slow.key_marks


NESTINGS: dict[str, Callable[[int], str]] = {
    "flow sequences": lambda depth: " " + "[" * depth + "]" * depth,
    "flow mappings": lambda depth: " " + "{a: " * depth + "1" + "}" * depth,
    "block sequences": lambda depth: "\n" + "".join("  " * i + "-\n" for i in range(depth)),
}


@pytest.mark.parametrize("libyaml", [True, False], ids=["libyaml", "pure-python"])
@pytest.mark.parametrize("shape", sorted(NESTINGS))
@pytest.mark.parametrize("depth", [65, 300, 1001, 5000])
def test_deep_nesting_is_a_located_error_not_a_crash(
    monkeypatch: pytest.MonkeyPatch, libyaml: bool, shape: str, depth: int
) -> None:
    # Whatever limits the installed PyYAML or libyaml enforce of their own (6.0.4's C
    # scanner stops at 1,000 flow levels), the answer is one located error.
    if libyaml and not yaml.__with_libyaml__:
        pytest.skip("libyaml not available")
    monkeypatch.setattr(yaml, "__with_libyaml__", libyaml)
    text = f"version: 1\nvoices:{NESTINGS[shape](depth)}\n"
    document, diagnostics = parse_yaml(text, Path("v.yaml"))
    assert document is None and len(diagnostics) == 1
    assert "nested" in diagnostics[0].message and diagnostics[0].line is not None


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="libyaml not available")
def test_pathological_flow_nesting_is_an_error_not_a_crash() -> None:
    deep = "[" * 200_000 + "]" * 200_000
    document, diagnostics = parse_yaml(f"version: 1\nvoices: {deep}\n", Path("v.yaml"))
    assert document is None and "nested too deeply" in diagnostics[0].message


def test_syntax_errors_keep_their_located_message() -> None:
    _, diagnostics = parse_yaml("version: 1\nvoices: [a, b\nx: }\n", Path("v.yaml"))
    assert diagnostics[0].line == 3 and diagnostics[0].message.startswith("YAML syntax error:")
