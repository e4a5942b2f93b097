"""The configuration's `moved` and `removed` entries as the planner takes them."""

from __future__ import annotations

from reconciler.addresses import PREFIX
from reconciler.config import Config
from reconciler.config.diagnostics import Diagnostic, Location
from reconciler.plan.moves import Move


def _name(address: str) -> str:
    return address[len(PREFIX) :]


def _at(config: Config, location: Location, path: str) -> str:
    """``file:line:column: path``, as configuration errors start."""
    return Diagnostic.at(location, path, "").format(config.root_dir).removesuffix(": ")


def config_moves(config: Config) -> list[Move]:
    return [
        Move(
            source=_name(entry.source),
            target=_name(entry.target),
            source_at=_at(config, entry.source_at, f"{entry.path}.from"),
            target_at=_at(config, entry.target_at, f"{entry.path}.to"),
        )
        for entry in config.moved
    ]


def config_removals(config: Config) -> dict[str, bool]:
    """Name -> destroy, for each `removed` entry."""
    return {_name(entry.source): entry.destroy for entry in config.removed}
