"""Voices sharing a package: checked once per run, reported at each voice's own place."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest

from reconciler.config import load_config
from reconciler.data import preflight
from reconciler.speechlike import write_steady_package

# reconciler.data exports the preflight function under the module's own name
preflight_module = importlib.import_module("reconciler.data.preflight")

CONFIG = """\
version: 1
provider: {region: cn-north-4}
voices:
  one: {edition: basic, voice_name: One, data: {package: shared.zip}}
  two: {edition: basic, voice_name: Two, data: {package: shared.zip}}
  three: {edition: premium, voice_name: Three, data: {package: shared.zip}}
"""


def test_shared_package_is_read_once_per_edition(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_steady_package(tmp_path / "shared.zip", count=19, seconds=5.5)  # basic wants 20 pairs
    (tmp_path / "voices.yaml").write_text(CONFIG)
    calls: list[str] = []
    real = preflight_module._check_package

    def counting(path: Path, shown: str, edition: Any, *rest: Any) -> None:
        calls.append(edition.name)
        real(path, shown, edition, *rest)

    monkeypatch.setattr(preflight_module, "_check_package", counting)
    diagnostics = preflight(load_config(tmp_path / "voices.yaml"))
    assert sorted(calls) == ["basic", "premium"]  # not once per voice
    lines: dict[str, set[int | None]] = {}
    for d in diagnostics:
        if d.is_error:
            lines.setdefault(d.path, set()).add(d.line)
    assert sorted(lines) == [
        "voices.one.data.package",
        "voices.three.data.package",
        "voices.two.data.package",
    ]
    assert all(len(found) == 1 for found in lines.values())
    assert len(set().union(*lines.values())) == 3  # each voice's errors at its own line
