"""The whole credential chain, and the project id: what a client for the real cloud needs.

Keys: a token (``provider.token_env`` or ``RECONCILER_AUTH_TOKEN``), then
``HUAWEICLOUD_SDK_AK``/``SK``, then the ``[basic]`` profile, then the ECS/CCE metadata
service (temporary keys, refreshed before they expire). Project id: ``provider.project_id``,
then ``HUAWEICLOUD_SDK_PROJECT_ID``, then the profile's, then IAM's project named after
``provider.region`` (cached in ``.reconciler/projects.json``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import requests

from reconciler.errors import ReconcilerError
from reconciler.metastudio.credentials import (
    DEFAULT_TOKEN_ENV,
    ENV_AK,
    ENV_IAM_ENDPOINT,
    ENV_PROJECT,
    ENV_SK,
    AgencyCredentials,
    AkSkCredentials,
    Credentials,
    KeyPair,
    configured_project,
    credentials_file,
    read_profile,
    static_keys,
    token_credentials,
)
from reconciler.metastudio.endpoint import resolve_iam_endpoint
from reconciler.metastudio.iam import CACHE_NAME, ProjectCache, ProjectLookup, cache_key
from reconciler.metastudio.metadata import ENV_METADATA_URL, MetadataService, metadata_url


@dataclass(frozen=True)
class ChainSettings:
    region: str | None = None
    project_id: str | None = None  # provider.project_id
    token_env: str | None = None
    iam_endpoint: str | None = None  # provider.iam_endpoint
    cache_dir: Path | None = None  # the config's .reconciler folder
    # The command's --timeout: the metadata service is never waited on longer (metadata.py).
    metadata_timeout: float | None = None


def resolve_credentials(
    environ: Mapping[str, str],
    home: Path,
    settings: ChainSettings,
    session: requests.Session,
    *,
    clock: Callable[[], float] = time.time,
) -> Credentials:
    profile = read_profile(environ, home)
    where = credentials_file(environ, home)
    project, source = configured_project(environ, profile, settings.project_id, where)
    token = token_credentials(environ, settings.token_env, project, source)
    if token is not None:
        return token
    keys = static_keys(environ, profile, where)
    metadata: MetadataService | None = None
    if keys is None:
        metadata = MetadataService(metadata_url(environ), session, budget=settings.metadata_timeout)
        keys = _agency_keys(metadata, settings.token_env)
    if project is None:
        project, source = _looked_up(environ, profile, settings, session, keys)
    if metadata is not None:
        return AgencyCredentials(metadata.fetch, keys, project, project_source=source, clock=clock)
    return AkSkCredentials(
        keys.access_key, keys.secret_key, project, keys.security_token, project_source=source
    )


def _agency_keys(metadata: MetadataService, token_env: str | None) -> KeyPair:
    try:
        return metadata.fetch()
    except ReconcilerError as error:
        raise ReconcilerError(
            f"no MetaStudio credentials: {ENV_AK}/{ENV_SK} are not set, there is no [basic] "
            f"profile with ak and sk, and {error}",
            hint=f"set {ENV_AK} and {ENV_SK}, or a token in {token_env or DEFAULT_TOKEN_ENV}; "
            f"on Huawei Cloud, attach an agency ({ENV_METADATA_URL} moves the metadata address)",
        ) from None


def _looked_up(
    environ: Mapping[str, str],
    profile: Mapping[str, str],
    settings: ChainSettings,
    session: requests.Session,
    keys: KeyPair,
) -> tuple[str, str]:
    region = settings.region
    if not region:
        raise ReconcilerError(
            "no project id",
            hint=f"set provider.region to look it up in IAM, or provider.project_id, "
            f"{ENV_PROJECT} or project_id in the profile",
        )
    override = settings.iam_endpoint or environ.get(ENV_IAM_ENDPOINT) or profile.get("iam_endpoint")
    iam = resolve_iam_endpoint(region, override)
    key = cache_key(region, iam, keys)
    cache = ProjectCache(settings.cache_dir / CACHE_NAME) if settings.cache_dir else None
    cached = cache.get(key) if cache else None
    if cached is not None:
        return cached, f"IAM's project {region!r}, cached in {cache.path if cache else ''}"
    project = ProjectLookup(iam, session).project_of(region, keys)
    if cache is not None:
        cache.put(key, project)
    return project, f"IAM's project {region!r}"
