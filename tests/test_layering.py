"""The architecture, measured from the code: what each layer loads, and who may call what."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "reconciler"


def _loaded_by(*modules: str) -> set[str]:
    """The modules a fresh interpreter has loaded after importing ``modules``."""
    code = "import json, sys\n"
    code += "".join(f"import {m}\n" for m in modules)
    code += "print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    return set(json.loads(out))


def _sources() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, ast.parse(path.read_text("utf-8"), str(path))


def _imports(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def _relative(path: Path) -> str:
    return path.relative_to(PACKAGE.parent).as_posix()


IO_MODULES = ("requests", "urllib3", "filelock", "yaml", "jsonschema", "boto3", "psycopg")
VIEW_USERS = ("reconciler/views/", "reconciler/commands/", "reconciler/cli.py")
UPPER_LAYERS = (
    "reconciler.metastudio",
    "reconciler.operations",
    "reconciler.emulator",
    "reconciler.data",
    "reconciler.apply",
    "reconciler.commands",
    "reconciler.embedded",
    "reconciler.refresh",
)


@pytest.mark.parametrize(
    "module",
    ["reconciler.plan.planner", "reconciler.views.plan_formats", "reconciler.plan.plancodec"],
)
def test_the_plan_package_loads_nothing_that_does_io(module: str) -> None:
    loaded = _loaded_by(module)
    offending = sorted(
        m for m in loaded if m.split(".")[0] in IO_MODULES or m.startswith(UPPER_LAYERS)
    )
    assert offending == []


# What the local backend and its lock need; the planner reads a State and writes no file.
FILE_SYSTEM_AND_LOCKS = (
    "reconciler.fsutil",
    "reconciler.state.lockinfo",
    "reconciler.state.backends",
    "reconciler.state.backends.local",
    "reconciler.state.backends.local_lock",
    "socket",
    "getpass",
    "filelock",
)


def test_the_planner_loads_no_file_system_socket_or_lock_code() -> None:
    """Importing ``reconciler.state.model`` runs the package's __init__: it must stay light."""
    loaded = _loaded_by("reconciler.plan.planner")
    assert sorted(m for m in FILE_SYSTEM_AND_LOCKS if m in loaded) == []


def test_job_states_have_no_dependencies() -> None:
    loaded = _loaded_by("reconciler.jobstates")
    assert {m for m in loaded if m.startswith("reconciler")} == {
        "reconciler",
        "reconciler.jobstates",
    }


def test_the_attribute_table_has_no_dependencies() -> None:
    """The config, the state and the planner all read it: it can read none of them."""
    loaded = _loaded_by("reconciler.attributes")
    assert {m for m in loaded if m.startswith("reconciler")} == {
        "reconciler",
        "reconciler.attributes",
    }


def test_the_state_lock_is_taken_in_exactly_one_place() -> None:
    callers = [
        f"{_relative(path)}:{node.lineno}"
        for path, tree in _sources()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "lock"
        and not _relative(path).startswith("reconciler/state/")  # backends implement it
    ]
    assert len(callers) == 1 and callers[0].startswith("reconciler/operations/locking.py:")


def test_argparse_namespaces_stop_at_the_verb_modules() -> None:
    """Only cli.py and the public verb modules see a Namespace; shared code gets typed values."""
    seen = []
    for path, tree in _sources():
        rel = _relative(path)
        verb_module = rel.startswith("reconciler/commands/") and not Path(rel).name.startswith("_")
        if verb_module or rel == "reconciler/cli.py":
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "Namespace":
                seen.append(f"{rel}:{node.lineno}")
            elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "getattr":
                first = node.args[0] if node.args else None
                if isinstance(first, ast.Name) and first.id == "args":
                    seen.append(f"{rel}:{node.lineno}")
    assert seen == []


def test_nothing_imports_the_command_layer_but_the_cli() -> None:
    importers = [
        _relative(path)
        for path, tree in _sources()
        if any(
            name.startswith(("reconciler.commands", "reconciler.cli")) for name in _imports(tree)
        )
        and not _relative(path).startswith(("reconciler/commands/", "reconciler/cli.py"))
        and _relative(path) != "reconciler/__main__.py"
    ]
    assert importers == []


def test_the_emulator_imports_no_client_code() -> None:
    client_side = (
        "reconciler.metastudio",
        "reconciler.operations",
        "reconciler.apply",
        "reconciler.plan",
        "reconciler.data",
        "reconciler.config",
        "reconciler.commands",
        "reconciler.state",
    )
    importers = [
        f"{_relative(path)}: {name}"
        for path, tree in _sources()
        if _relative(path).startswith("reconciler/emulator/")
        for name in _imports(tree)
        if name.startswith(client_side)
    ]
    assert importers == []


def test_core_packages_do_not_import_the_operations_layer() -> None:
    core = ("config", "data", "state", "plan", "apply", "metastudio", "status")
    importers = [
        f"{_relative(path)}: {name}"
        for path, tree in _sources()
        if _relative(path).split("/")[1] in core
        for name in _imports(tree)
        if name.startswith("reconciler.operations")
    ]
    assert importers == []


def test_apply_executes_steps_and_never_reads_a_reason() -> None:
    """OpenTofu's rule for ActionReason: what apply does is the plan's steps, nothing else."""
    readers = [
        f"{_relative(path)}:{node.lineno}"
        for path, tree in _sources()
        if _relative(path).startswith("reconciler/apply/")
        for node in ast.walk(tree)
        if (isinstance(node, ast.Attribute) and node.attr in ("reason", "Reason"))
        or (isinstance(node, ast.Name) and node.id == "Reason")
    ]
    assert readers == []


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        # views/ is the top room beside commands/: the core never renders
        (lambda rel: not rel.startswith(VIEW_USERS), "reconciler.views"),
        (lambda rel: rel.startswith("reconciler/views/"), "reconciler.commands"),
        (lambda rel: rel.startswith("reconciler/views/"), "reconciler.cli"),
    ],
)
def test_only_the_cli_and_the_verbs_import_the_views(
    importer: Callable[[str], bool], imported: str
) -> None:
    importers = [
        f"{_relative(path)}: {name}"
        for path, tree in _sources()
        if importer(_relative(path))
        for name in _imports(tree)
        if name.startswith(imported)
    ]
    assert importers == []


@pytest.mark.parametrize(
    "module", sorted(f"reconciler.plan.{p.stem}" for p in (PACKAGE / "plan").glob("[!_]*.py"))
)
def test_the_plan_package_loads_no_view(module: str) -> None:
    """plan/ is the model, the planner, its steps and the codec; rendering lives in views/."""
    assert [m for m in _loaded_by(module) if m.startswith("reconciler.views")] == []


def test_apply_does_not_wait() -> None:
    """The apply verb composes apply and wait: the apply operation loads neither the status
    operation nor any preview module."""
    loaded = _loaded_by("reconciler.operations.apply")
    offending = sorted(
        m
        for m in loaded
        if m.startswith(("reconciler.status", "reconciler.operations.status"))
        or "preview" in m.split(".")[-1]
    )
    assert offending == []


def test_preview_lives_in_one_module_per_layer() -> None:
    """The API side, the operation, the verb: no fourth place."""
    found = sorted(_relative(p) for p in PACKAGE.rglob("*.py") if "preview" in p.stem)
    assert found == [
        "reconciler/commands/preview.py",
        "reconciler/metastudio/preview.py",
        "reconciler/operations/preview.py",
    ]


def test_nothing_rides_on_the_namespace() -> None:
    """No code sets attributes on the parsed arguments (the JSON stream once travelled there):
    what a verb needs is passed to it."""
    setters = [
        f"{_relative(path)}:{node.lineno}"
        for path, tree in _sources()
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign)
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Attribute)
        and isinstance(target.value, ast.Name)
        and target.value.id == "args"
    ]
    assert setters == []
