"""Find the state file a configuration points at.

Stop-gap until the config loader lands: it reads only the ``state.path`` setting.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from reconciler.errors import ConfigError

DEFAULT_STATE_FILE = "reconciler.state.json"


def state_path_for(config_path: Path) -> Path:
    """``state.path`` of the config file (or of the first *.yaml in a directory that sets
    ``state``), relative to the config's directory; the default file there otherwise."""
    if config_path.is_dir():
        for candidate in sorted(config_path.glob("*.yaml")):
            setting = _state_setting(candidate)
            if setting is not None:
                return _resolve(setting, candidate)
        return config_path / DEFAULT_STATE_FILE
    if not config_path.exists():
        raise ConfigError(f"configuration {config_path} does not exist")
    setting = _state_setting(config_path)
    return _resolve(setting or {}, config_path)


def _state_setting(path: Path) -> dict[str, Any] | None:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ConfigError(f"cannot read configuration {path}: {error}") from None
    if not isinstance(document, dict) or document.get("state") is None:
        return None
    setting = document["state"]
    if not isinstance(setting, dict):
        raise ConfigError(f"{path}: 'state' must be a mapping, e.g. state: {{path: my.state.json}}")
    return setting


def _resolve(setting: dict[str, Any], config_file: Path) -> Path:
    value = setting.get("path", DEFAULT_STATE_FILE)
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{config_file}: state.path must be a non-empty string")
    return config_file.parent / value
