"""Credentials the way the Huawei Cloud SDK finds them, plus bearer tokens.

Order: a token in the environment variable named by ``token_env`` (default
``RECONCILER_AUTH_TOKEN``: the more deliberate choice), then ``HUAWEICLOUD_SDK_*``
environment variables, then the ``[basic]`` section of ``~/.huaweicloud/credentials``
(``HUAWEICLOUD_SDK_CREDENTIALS_FILE`` overrides the path), then the ECS/CCE metadata service
(``metastudio/metadata.py``; ``metastudio/chain.py`` walks the whole chain).
"""

from __future__ import annotations

import configparser
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.errors import ReconcilerError

DEFAULT_TOKEN_ENV = "RECONCILER_AUTH_TOKEN"  # noqa: S105 (a variable name)
ENV_AK = "HUAWEICLOUD_SDK_AK"
ENV_SK = "HUAWEICLOUD_SDK_SK"
ENV_PROJECT = "HUAWEICLOUD_SDK_PROJECT_ID"
ENV_SECURITY_TOKEN = "HUAWEICLOUD_SDK_SECURITY_TOKEN"  # noqa: S105 (a variable name)
ENV_CREDENTIALS_FILE = "HUAWEICLOUD_SDK_CREDENTIALS_FILE"
ENV_IAM_ENDPOINT = "HUAWEICLOUD_SDK_IAM_ENDPOINT"
# The SDK refreshes temporary credentials this long before they expire.
REFRESH_BEFORE_SECONDS = 2 * 60 * 60


@dataclass(frozen=True)
class AkSkCredentials:
    access_key: str
    secret_key: str = field(repr=False)
    project_id: str
    security_token: str | None = field(default=None, repr=False)
    # Where the project id came from, for the message when MetaStudio refuses it.
    project_source: str | None = field(default=None, compare=False)

    def current(self) -> AkSkCredentials:
        return self

    def renew(self) -> bool:
        return False  # permanent keys: nothing newer to get


@dataclass(frozen=True)
class TokenCredentials:
    token: str = field(repr=False)
    project_id: str
    project_source: str | None = field(default=None, compare=False)

    def current(self) -> TokenCredentials:
        return self

    def renew(self) -> bool:
        return False


@dataclass(frozen=True)
class KeyPair:
    """An access key pair before its project is known; ``origin`` says where it was found."""

    access_key: str
    secret_key: str = field(repr=False)
    security_token: str | None = field(default=None, repr=False)
    origin: str = ""
    expires_at: float | None = None  # temporary keys only (epoch seconds)


class AgencyCredentials:
    """Temporary keys from the metadata service, fetched again before they expire.

    The SDK refreshes within 2 h of expiry; keys issued for less than that would be fetched
    again before every request, so the window is at most half the keys' lifetime. A refresh
    that fails while the keys still hold is not fatal: they are used until they expire.
    """

    def __init__(
        self,
        fetch: Callable[[], KeyPair],
        first: KeyPair,
        project_id: str,
        *,
        project_source: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._fetch = fetch
        self._keys = first
        self._fetched_at = clock()
        self._clock = clock
        self._lock = threading.Lock()
        self.project_id = project_id
        self.project_source = project_source
        self.refreshes = 0

    def __repr__(self) -> str:
        keys, project = self._keys.access_key, self.project_id
        return f"AgencyCredentials(access_key={keys!r}, project_id={project!r})"

    def _due(self, now: float) -> bool:
        expires = self._keys.expires_at
        if expires is None:
            return False
        lifetime = max(0.0, expires - self._fetched_at)
        return expires - now < min(REFRESH_BEFORE_SECONDS, lifetime / 2)

    def renew(self) -> bool:
        """Fetch new keys now, whatever the clock says: the service refused these (its clock
        may run ahead of ours). False when none could be fetched."""
        with self._lock:
            try:
                self._keys, self._fetched_at = self._fetch(), self._clock()
            except ReconcilerError:
                return False
            self.refreshes += 1
            return True

    def current(self) -> AkSkCredentials:
        with self._lock:
            now = self._clock()
            if self._due(now):
                try:
                    self._keys, self._fetched_at = self._fetch(), now
                    self.refreshes += 1
                except ReconcilerError:
                    expires = self._keys.expires_at
                    if expires is not None and expires <= now:
                        raise
            keys = self._keys
        return AkSkCredentials(
            keys.access_key,
            keys.secret_key,
            self.project_id,
            keys.security_token,
            project_source=self.project_source,
        )


Credentials = AkSkCredentials | TokenCredentials | AgencyCredentials


def credentials_file(environ: Mapping[str, str], home: Path) -> Path:
    return Path(environ.get(ENV_CREDENTIALS_FILE) or home / ".huaweicloud" / "credentials")


def read_profile(environ: Mapping[str, str], home: Path) -> Mapping[str, str]:
    path = credentials_file(environ, home)
    if not path.is_file():
        return {}
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError) as error:
        raise ReconcilerError(f"{path}: unreadable credentials file: {error}") from None
    return dict(parser["basic"]) if parser.has_section("basic") else {}


def configured_project(
    environ: Mapping[str, str], profile: Mapping[str, str], project_id: str | None, where: Path
) -> tuple[str | None, str | None]:
    """The project id given explicitly, and where: provider.project_id, env, profile."""
    if project_id:
        return project_id, "provider.project_id"
    if environ.get(ENV_PROJECT):
        return environ[ENV_PROJECT], ENV_PROJECT
    if profile.get("project_id"):
        return profile["project_id"], f"project_id in {where}"
    return None, None


def static_keys(
    environ: Mapping[str, str], profile: Mapping[str, str], where: Path
) -> KeyPair | None:
    """The environment's key pair, else the profile's (the SDK takes each source whole)."""
    if environ.get(ENV_AK) and environ.get(ENV_SK):
        token = environ.get(ENV_SECURITY_TOKEN) or None
        return KeyPair(environ[ENV_AK], environ[ENV_SK], token, f"{ENV_AK}/{ENV_SK}")
    ak, sk = environ.get(ENV_AK) or profile.get("ak"), environ.get(ENV_SK) or profile.get("sk")
    if ak and sk:
        token = environ.get(ENV_SECURITY_TOKEN) or profile.get("security_token") or None
        return KeyPair(ak, sk, token, f"the [basic] profile in {where}")
    if ak or sk:
        # Half a pair is a mistake to point at, not a reason to ask the metadata service.
        have, lack, key = ("an access key", ENV_SK, "sk") if ak else ("a secret key", ENV_AK, "ak")
        raise ReconcilerError(
            f"incomplete MetaStudio credentials: {have} but no {'secret' if ak else 'access'} key",
            hint=f"set {lack}, or {key} in the [basic] profile of {where}",
        )
    return None


def token_credentials(
    environ: Mapping[str, str], token_env: str | None, project: str | None, source: str | None
) -> TokenCredentials | None:
    token = environ.get(token_env or DEFAULT_TOKEN_ENV)
    if token_env and not token:
        raise ReconcilerError(f"environment variable {token_env} (provider.token_env) is not set")
    if not token:
        return None
    if not project:
        raise ReconcilerError(
            "token authentication needs a project id",
            hint=f"set provider.project_id or {ENV_PROJECT}",
        )
    return TokenCredentials(token=token, project_id=project, project_source=source)


def load_credentials(
    environ: Mapping[str, str],
    home: Path,
    *,
    project_id: str | None = None,
    token_env: str | None = None,
) -> Credentials:
    """Token, environment or profile credentials with an explicit project id: the chain
    without the metadata service and the IAM lookup (``chain.resolve_credentials`` has both)."""
    profile = read_profile(environ, home)
    where = credentials_file(environ, home)
    project, source = configured_project(environ, profile, project_id, where)
    token = token_credentials(environ, token_env, project, source)
    if token is not None:
        return token
    keys = static_keys(environ, profile, where)
    if keys is None:
        raise ReconcilerError(
            "no MetaStudio credentials found",
            hint=f"set {ENV_AK} and {ENV_SK}, the [basic] profile in ~/.huaweicloud/credentials,"
            f" or a token in {token_env or DEFAULT_TOKEN_ENV}",
        )
    if not project:
        raise ReconcilerError(
            "no project id", hint=f"set provider.project_id, {ENV_PROJECT} or the profile"
        )
    return AkSkCredentials(
        keys.access_key, keys.secret_key, project, keys.security_token, project_source=source
    )
