"""Plan and apply skip re-validating a config file whose exact bytes already passed."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

import pytest

from reconciler.config import Diagnostic, InvalidConfig, load_config
from reconciler.config.loader import Document

check = importlib.import_module("reconciler.config.check")

VALID = """\
version: 1
provider: {region: cn-north-4}
voices:
  a: {edition: premium, voice_name: A, data: {package: a.zip}}
"""


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    seen: list[Path] = []
    real: Callable[[Document], list[Diagnostic]] = check.validate_document

    def counting(document: Document) -> list[Diagnostic]:
        seen.append(document.file)
        return real(document)

    monkeypatch.setattr(check, "validate_document", counting)
    return seen


def test_unchanged_file_is_validated_once(tmp_path: Path, validations: list[Path]) -> None:
    config, cache = tmp_path / "voices.yaml", tmp_path / "cache"
    config.write_text(VALID)
    load_config(config, cache_dir=cache)
    load_config(config, cache_dir=cache)
    assert len(validations) == 1
    config.write_text(VALID.replace("voice_name: A", "voice_name: B"))
    load_config(config, cache_dir=cache)
    assert len(validations) == 2  # changed bytes: validated again
    load_config(config)
    assert len(validations) == 3  # no cache given (validate): always validated


def test_invalid_file_is_never_cached(tmp_path: Path, validations: list[Path]) -> None:
    config, cache = tmp_path / "voices.yaml", tmp_path / "cache"
    config.write_text(VALID.replace("edition: premium", "edition: platinum"))
    for _ in range(2):
        with pytest.raises(InvalidConfig, match="edition"):
            load_config(config, cache_dir=cache)
    assert len(validations) == 2
    assert not (cache / "schema-valid").exists() or not any((cache / "schema-valid").iterdir())
