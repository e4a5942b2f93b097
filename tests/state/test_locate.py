from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.errors import ConfigError
from reconciler.state import state_path_for


def test_default_is_beside_the_config(tmp_path: Path) -> None:
    config = tmp_path / "voices.yaml"
    config.write_text("voices: {}\n")
    assert state_path_for(config) == tmp_path / "reconciler.state.json"
    assert state_path_for(tmp_path) == tmp_path / "reconciler.state.json"


def test_state_path_is_relative_to_the_config_directory(tmp_path: Path) -> None:
    config = tmp_path / "conf" / "voices.yaml"
    config.parent.mkdir()
    config.write_text("state:\n  path: state/prod.json\n")
    assert state_path_for(config) == tmp_path / "conf" / "state" / "prod.json"


def test_absolute_state_path_is_kept(tmp_path: Path) -> None:
    config = tmp_path / "voices.yaml"
    config.write_text(f"state: {{path: {tmp_path / 'elsewhere.json'}}}\n")
    assert state_path_for(config) == tmp_path / "elsewhere.json"


def test_directory_uses_the_first_file_that_sets_state(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("voices: {}\n")
    (tmp_path / "b.yaml").write_text("state: {path: from-b.json}\n")
    (tmp_path / "c.yaml").write_text("state: {path: from-c.json}\n")
    assert state_path_for(tmp_path) == tmp_path / "from-b.json"


@pytest.mark.parametrize(
    ("text", "message"),
    [("state: [1]\n", "must be a mapping"), ("state: {path: 3}\n", "non-empty string")],
)
def test_bad_settings_are_config_errors(tmp_path: Path, text: str, message: str) -> None:
    config = tmp_path / "voices.yaml"
    config.write_text(text)
    with pytest.raises(ConfigError, match=message):
        state_path_for(config)


def test_unreadable_yaml_and_missing_file_are_config_errors(tmp_path: Path) -> None:
    config = tmp_path / "voices.yaml"
    config.write_text("state: {path: [\n")
    with pytest.raises(ConfigError, match="cannot read configuration"):
        state_path_for(config)
    with pytest.raises(ConfigError, match="does not exist"):
        state_path_for(tmp_path / "missing.yaml")
