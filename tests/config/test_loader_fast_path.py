"""libyaml speeds up loading, but must never crash the interpreter or change what is read."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from reconciler.config import loader
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


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="libyaml not available")
def test_pathological_nesting_is_an_error_not_a_crash() -> None:
    deep = "[" * 200_000 + "]" * 200_000
    assert loader._nesting(deep, limit=300) == 301  # stopped early, without recursion
    document, diagnostics = parse_yaml(f"version: 1\nvoices: {deep}\n", Path("v.yaml"))
    assert document is None and "nested too deeply" in diagnostics[0].message


def test_syntax_errors_keep_their_located_message() -> None:
    _, diagnostics = parse_yaml("version: 1\nvoices: [a, b\nx: }\n", Path("v.yaml"))
    assert diagnostics[0].line == 3 and diagnostics[0].message.startswith("YAML syntax error:")
