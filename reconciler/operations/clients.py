"""How a workspace gets its MetaStudio client: the cloud, from the provider settings.

A workspace is handed a factory rather than building clients itself, so that the command
decides, visibly, whether the bundled emulator stands in for the service.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from reconciler.config import Config
from reconciler.metastudio import MetaStudioClient, RateLimits, load_credentials, resolve_endpoint

ClientFactory = Callable[[], AbstractContextManager[MetaStudioClient]]


def emulator_dir(config: Config) -> Path | None:
    """The folder of the bundled emulator when the config asks for it (provider.emulator)."""
    folder = config.provider.extra.get("emulator")
    return (config.root_dir / str(folder)).resolve() if folder else None


def cloud_clients(config: Config, environ: Mapping[str, str], home: Path) -> ClientFactory:
    """Clients for the real service: endpoint, credentials and rate limits from the config."""
    provider = config.provider

    @contextmanager
    def connect() -> Iterator[MetaStudioClient]:
        endpoint = resolve_endpoint(region=provider.region, endpoint=provider.endpoint)
        token_env = provider.extra.get("token_env")
        credentials = load_credentials(
            environ,
            home,
            project_id=provider.project_id,
            token_env=str(token_env) if token_env else None,
        )
        rates = provider.extra.get("rate_limits")
        configured = RateLimits({k: float(v) for k, v in rates.items()}) if rates else None
        with MetaStudioClient.connect(
            endpoint, credentials, app_user_id=provider.app_user_id, rate_limits=configured
        ) as client:
            yield client

    return connect
