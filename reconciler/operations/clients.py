"""How a workspace gets its MetaStudio client: the cloud, from the provider settings.

A workspace is handed a factory rather than building clients itself, so that the command
decides, visibly, whether the bundled emulator stands in for the service.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from reconciler.config import Config
from reconciler.metastudio import MetaStudioClient, RateLimits, resolve_endpoint
from reconciler.metastudio.chain import ChainSettings, resolve_credentials
from reconciler.metastudio.transport import new_session

ClientFactory = Callable[[], AbstractContextManager[MetaStudioClient]]


def emulator_dir(config: Config) -> Path | None:
    """The folder of the bundled emulator when the config asks for it (provider.emulator)."""
    folder = config.provider.extra.get("emulator")
    return (config.root_dir / str(folder)).resolve() if folder else None


def cloud_clients(
    config: Config, environ: Mapping[str, str], home: Path, *, timeout: float | None = None
) -> ClientFactory:
    """Clients for the real service: endpoint, credentials and rate limits from the config.
    ``timeout``: the command's --timeout, which no wait for credentials may outlast."""
    provider = config.provider

    @contextmanager
    def connect() -> Iterator[MetaStudioClient]:
        endpoint = resolve_endpoint(region=provider.region, endpoint=provider.endpoint)
        token_env, iam_endpoint = (
            provider.extra.get("token_env"),
            provider.extra.get("iam_endpoint"),
        )
        settings = ChainSettings(
            region=provider.region,
            project_id=provider.project_id,
            token_env=str(token_env) if token_env else None,
            iam_endpoint=str(iam_endpoint) if iam_endpoint else None,
            cache_dir=config.root_dir / ".reconciler",
            metadata_timeout=timeout,
        )
        rates = provider.extra.get("rate_limits")
        configured = RateLimits({k: float(v) for k, v in rates.items()}) if rates else None
        # The IAM lookup and the metadata service's refreshes use their own connections.
        with new_session() as auth_session:
            credentials = resolve_credentials(environ, home, settings, auth_session)
            with MetaStudioClient.connect(
                endpoint, credentials, app_user_id=provider.app_user_id, rate_limits=configured
            ) as client:
                yield client

    return connect
