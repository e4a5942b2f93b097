"""The backend registry: one line per backend module, and nothing loaded until asked for."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import typing
from pathlib import Path

from reconciler.config.model import StateBackendKind, StateSettings
from reconciler.state.backends import BACKENDS, open_backend
from reconciler.state.backends.local import LocalStateBackend
from tests.state.helpers import REPO

FOLDER = REPO / "reconciler" / "state" / "backends"
SCHEMA = REPO / "reconciler" / "schemas" / "voices.schema.json"


def _backend_modules() -> set[str]:
    """Modules of the backends folder that define ``from_settings``: the backends themselves."""
    found = set()
    for path in FOLDER.glob("*.py"):
        tree = ast.parse(path.read_text("utf-8"))
        names = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
        if "from_settings" in names and path.stem != "__init__":
            found.add(f"reconciler.state.backends.{path.stem}")
    return found


def test_the_registry_holds_one_entry_per_backend_module() -> None:
    assert sorted(BACKENDS.values()) == sorted(_backend_modules())
    assert all(module.rsplit(".", 1)[1] == kind for kind, module in BACKENDS.items())


def test_the_registry_names_the_kinds_the_configuration_admits() -> None:
    schema = json.loads(SCHEMA.read_text("utf-8"))
    admitted = schema["$defs"]["state"]["properties"]["backend"]["enum"]
    assert sorted(BACKENDS) == sorted(admitted) == sorted(typing.get_args(StateBackendKind))


def test_importing_the_registry_loads_no_backend_nor_extra() -> None:
    code = (
        "import json, sys\n"
        "import reconciler.state.backends\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=REPO
    ).stdout
    loaded = set(json.loads(out))
    assert {m for m in loaded if m.split(".")[0] in ("boto3", "botocore", "psycopg")} == set()
    assert loaded.isdisjoint(BACKENDS.values())


def test_the_default_settings_open_the_local_file(tmp_path: Path) -> None:
    path = tmp_path / "reconciler.state.json"
    backend = open_backend(StateSettings(), state_path=path, clock=lambda: 0.0)
    assert isinstance(backend, LocalStateBackend) and backend.path == path
