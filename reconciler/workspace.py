"""One configuration with what it needs around it: state backend, digest cache, API client."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from reconciler.config import Config, config_files, load_config
from reconciler.data import DigestCache, default_cache_dir
from reconciler.fsutil import ensure_dir
from reconciler.metastudio import (
    AkSkCredentials,
    MetaStudioClient,
    RateLimits,
    load_credentials,
    resolve_endpoint,
)
from reconciler.state import LocalStateBackend

EMULATOR_RATES = {"create": 50.0, "upload_url": 50.0, "query": 200.0}


@dataclass
class Workspace:
    config: Config
    backend: LocalStateBackend
    cache: DigestCache
    environ: Mapping[str, str]
    home: Path

    @classmethod
    def load(cls, path: Path, environ: Mapping[str, str], home: Path) -> Workspace:
        root_dir, _ = config_files(path)
        cache_dir = default_cache_dir(root_dir, environ)
        config = load_config(path, cache_dir=cache_dir)
        return cls(
            config=config,
            backend=LocalStateBackend(config.state_path),
            cache=DigestCache(cache_dir),
            environ=environ,
            home=home,
        )

    @property
    def emulator_dir(self) -> Path | None:
        folder = self.config.provider.extra.get("emulator")
        return (self.config.root_dir / str(folder)).resolve() if folder else None

    @property
    def work_dir(self) -> Path:
        return ensure_dir(self.config.root_dir / ".reconciler" / "tmp")

    @contextmanager
    def client(self) -> Iterator[MetaStudioClient]:
        provider = self.config.provider
        emulator_dir = self.emulator_dir
        if emulator_dir is not None:
            from reconciler.embedded import embedded_emulator

            with embedded_emulator(emulator_dir) as (url, credential):
                creds = AkSkCredentials(credential.ak, credential.sk, credential.project_id)
                # The published limits protect the real service; the local one needs none.
                limits = RateLimits(EMULATOR_RATES)
                with MetaStudioClient.connect(url, creds, rate_limits=limits) as client:
                    yield client
            return
        endpoint = resolve_endpoint(region=provider.region, endpoint=provider.endpoint)
        token_env = provider.extra.get("token_env")
        credentials = load_credentials(
            self.environ,
            self.home,
            project_id=provider.project_id,
            token_env=str(token_env) if token_env else None,
        )
        rates = provider.extra.get("rate_limits")
        configured = RateLimits({k: float(v) for k, v in rates.items()}) if rates else None
        with MetaStudioClient.connect(
            endpoint, credentials, app_user_id=provider.app_user_id, rate_limits=configured
        ) as client:
            yield client
