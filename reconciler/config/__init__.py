"""Desired state from YAML: located loading, JSON Schema validation, the VoiceSpec model."""

from reconciler.config.check import ConfigCheck, check_config, config_files, load_config
from reconciler.config.diagnostics import (
    Diagnostic,
    InvalidConfig,
    Location,
    display_path,
    printable,
)
from reconciler.config.model import (
    EDITIONS,
    Config,
    ConfiguredVoices,
    DataSource,
    Edition,
    Provider,
    VoiceData,
    VoiceSpec,
)

__all__ = [
    "EDITIONS",
    "Config",
    "ConfigCheck",
    "ConfiguredVoices",
    "DataSource",
    "Diagnostic",
    "Edition",
    "InvalidConfig",
    "Location",
    "Provider",
    "VoiceData",
    "VoiceSpec",
    "check_config",
    "config_files",
    "display_path",
    "load_config",
    "printable",
]
