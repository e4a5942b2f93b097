"""The state backends, one module each, and the one table naming them.

A configuration's ``state: {backend: KIND}`` opens the module BACKENDS names for KIND, through
its ``from_settings``. Modules are imported only then, so that the default install, which has
neither boto3 nor psycopg, never loads a backend it does not use. Adding a backend: one module
here with a ``from_settings`` and one line below (and its settings in the schema).
Helper modules carry their backend's name as a prefix (``remote_`` ones serve S3 and PostgreSQL).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from reconciler.state.backend import StateBackend

BACKENDS: Mapping[str, str] = {
    "local": "reconciler.state.backends.local",
    "s3": "reconciler.state.backends.s3",
    "postgres": "reconciler.state.backends.postgres",
}


class BackendSettings(Protocol):
    """The configuration's ``state`` section (config.model.StateSettings), as backends read it."""

    @property
    def backend(self) -> str: ...
    @property
    def bucket(self) -> str | None: ...
    @property
    def key(self) -> str: ...
    @property
    def endpoint(self) -> str | None: ...
    @property
    def region(self) -> str | None: ...
    @property
    def dsn(self) -> str | None: ...
    @property
    def name(self) -> str: ...


class Factory(Protocol):
    """``from_settings`` in each backend module; ``state_path`` is the local backend's file."""

    def __call__(
        self, settings: BackendSettings, *, state_path: Path, clock: Callable[[], float]
    ) -> StateBackend: ...


def open_backend(
    settings: BackendSettings, *, state_path: Path, clock: Callable[[], float]
) -> StateBackend:
    """The backend ``settings.backend`` names (the schema admits only BACKENDS' kinds)."""
    module = importlib.import_module(BACKENDS[settings.backend])
    factory: Factory = module.from_settings
    return factory(settings, state_path=state_path, clock=clock)
