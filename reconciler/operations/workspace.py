"""One configuration with what it needs around it: state backend, digest cache, API clients."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from reconciler.config import Config, config_files, load_config
from reconciler.config.head import head_config, same_head
from reconciler.data import DigestCache, default_cache_dir
from reconciler.fsutil import ensure_dir
from reconciler.metastudio import MetaStudioClient
from reconciler.operations.clients import ClientFactory
from reconciler.operations.locking import LockWaits
from reconciler.state import StateBackend
from reconciler.state.backends import open_backend


def state_backend(config: Config, *, clock: Callable[[], float] = time.time) -> StateBackend:
    """The store the configuration keeps its state in (the one place a backend is built)."""
    return open_backend(config.state, state_path=config.state_path, clock=clock)


def load_checked_config(path: Path, environ: Mapping[str, str]) -> tuple[Config, Path]:
    """The validated configuration at ``path`` and the digest-cache folder that goes with it."""
    root_dir, _ = config_files(path)
    cache_dir = default_cache_dir(root_dir, environ)
    return load_config(path, cache_dir=cache_dir), cache_dir


@dataclass
class Workspace:
    config: Config
    backend: StateBackend
    cache: DigestCache
    clients: ClientFactory
    # Told when a run is about to wait for the state lock (the command shows it); None: silent.
    lock_waits: LockWaits | None = None

    @classmethod
    def load(
        cls,
        path: Path,
        environ: Mapping[str, str],
        clients: Callable[[Config], ClientFactory],
        *,
        clock: Callable[[], float] = time.time,
        lock_waits: LockWaits | None = None,
        head: Workspace | None = None,
    ) -> Workspace:
        """``clients`` picks, from the loaded config, where API calls go; ``head``, the
        workspace of its provider and state read beforehand (:meth:`head`), is kept (its
        backend and clients may be in use already) when the whole config agrees with it."""
        config, cache_dir = load_checked_config(path, environ)
        cache = DigestCache(cache_dir, clock=clock)
        if head is not None and same_head(head.config, config):
            return dataclasses.replace(head, config=config, cache=cache)
        return cls(
            config=config,
            backend=state_backend(config, clock=clock),
            cache=cache,
            clients=clients(config),
            lock_waits=lock_waits,
        )

    @classmethod
    def head(
        cls,
        path: Path,
        environ: Mapping[str, str],
        clients: Callable[[Config], ClientFactory],
        *,
        clock: Callable[[], float] = time.time,
        lock_waits: LockWaits | None = None,
    ) -> Workspace | None:
        """The workspace of the config's provider and state alone, with no voices, when they
        can be read for much less than the whole config (config/head.py): what a refresh
        needs to begin. None: wait for :meth:`load`."""
        config = head_config(path)
        if config is None:
            return None
        return cls(
            config=config,
            backend=state_backend(config, clock=clock),
            cache=DigestCache(default_cache_dir(config.root_dir, environ), clock=clock),
            clients=clients(config),
            lock_waits=lock_waits,
        )

    def client(self) -> AbstractContextManager[MetaStudioClient]:
        return self.clients()

    @property
    def work_dir(self) -> Path:
        return ensure_dir(self.config.root_dir / ".reconciler" / "tmp")
