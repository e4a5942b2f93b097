"""One small module per verb, found by name so that adding a verb touches no shared list.

Each module exposes ``register(subparsers)``; the parser it adds sets ``handler`` to a
``run(args, env, view) -> int`` function. A verb with --json also sets ``view`` to a
function choosing, from the flags, its view (views/: a text or a JSON implementation of the
verb's interface); cli.py calls it once before ``run`` and asks that view to tell the error
that ends the command. Without one, the view is views.base.TextView. The argparse
Namespace goes no further than the verb module: the view and the operations get plain values.
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
