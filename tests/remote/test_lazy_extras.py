"""The default install needs neither extra: boto3 and psycopg load only for their backends."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from tests.state.helpers import REPO

EXTRAS = ("boto3", "botocore", "psycopg")


def test_no_module_imports_an_extra_at_import_time() -> None:
    found = []
    for path in sorted((REPO / "reconciler").rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        for node in tree.body:  # module level only: imports inside functions are lazy
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            found += [f"{path.name}: {n}" for n in names if n.split(".")[0] in EXTRAS]
    assert found == []


def test_a_local_state_command_loads_no_extra(tmp_path: Path) -> None:
    (tmp_path / "voices.yaml").write_text(
        f"version: 1\nprovider: {{emulator: {tmp_path / 'emu'}}}\nvoices: {{}}\n"
    )
    code = (
        "import json, sys\n"
        "from reconciler.cli import main\n"
        f"main(['state', 'list', {str(tmp_path)!r}])\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=REPO
    ).stdout
    loaded = json.loads(out.splitlines()[-1])
    assert [m for m in loaded if m.split(".")[0] in EXTRAS] == []
    assert "reconciler.state.backends.local" in loaded
