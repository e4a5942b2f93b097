"""One small module per verb, found by name so that adding a verb touches no shared list.

Each module exposes ``register(subparsers)``; the parser it adds sets ``handler`` to a
``run(args, env) -> int`` function.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def command_modules() -> list[ModuleType]:
    modules = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "register"):
            modules.append(module)
    return modules
