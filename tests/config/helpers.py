"""Writing a config into a temporary directory and collecting what check_config says."""

from __future__ import annotations

import textwrap
from pathlib import Path

from reconciler.config import Diagnostic, check_config

VALID = """\
version: 1
provider:
  region: cn-north-4
voices:
  alice:
    edition: basic
    voice_name: Alice
    data:
      dir: data/alice
"""


def write(folder: Path, text: str, name: str = "voices.yaml") -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def diagnostics(folder: Path, text: str, name: str = "voices.yaml") -> list[Diagnostic]:
    return list(check_config(write(folder, text, name)).diagnostics)
