"""Credentials the way the Huawei Cloud SDK finds them, plus bearer tokens.

Order: explicit values, then ``HUAWEICLOUD_SDK_*`` environment variables, then the
``[basic]`` section of ``~/.huaweicloud/credentials`` (``HUAWEICLOUD_SDK_CREDENTIALS_FILE``
overrides the path). A token in the environment variable named by ``token_env`` (default
``RECONCILER_AUTH_TOKEN``) takes precedence: it is the more deliberate choice.
"""

from __future__ import annotations

import configparser
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.errors import ReconcilerError

DEFAULT_TOKEN_ENV = "RECONCILER_AUTH_TOKEN"  # noqa: S105 (a variable name)
ENV_AK = "HUAWEICLOUD_SDK_AK"
ENV_SK = "HUAWEICLOUD_SDK_SK"
ENV_PROJECT = "HUAWEICLOUD_SDK_PROJECT_ID"
ENV_SECURITY_TOKEN = "HUAWEICLOUD_SDK_SECURITY_TOKEN"  # noqa: S105 (a variable name)
ENV_CREDENTIALS_FILE = "HUAWEICLOUD_SDK_CREDENTIALS_FILE"


@dataclass(frozen=True)
class AkSkCredentials:
    access_key: str
    secret_key: str = field(repr=False)
    project_id: str
    security_token: str | None = field(default=None, repr=False)


@dataclass(frozen=True)
class TokenCredentials:
    token: str = field(repr=False)
    project_id: str


Credentials = AkSkCredentials | TokenCredentials


def _profile(environ: Mapping[str, str], home: Path) -> Mapping[str, str]:
    path = Path(environ.get(ENV_CREDENTIALS_FILE) or home / ".huaweicloud" / "credentials")
    if not path.is_file():
        return {}
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError) as error:
        raise ReconcilerError(f"{path}: unreadable credentials file: {error}") from None
    return dict(parser["basic"]) if parser.has_section("basic") else {}


def load_credentials(
    environ: Mapping[str, str],
    home: Path,
    *,
    project_id: str | None = None,
    token_env: str | None = None,
) -> Credentials:
    profile = _profile(environ, home)
    project = project_id or environ.get(ENV_PROJECT) or profile.get("project_id")
    token = environ.get(token_env or DEFAULT_TOKEN_ENV)
    if token_env and not token:
        raise ReconcilerError(f"environment variable {token_env} (provider.token_env) is not set")
    if token:
        if not project:
            raise ReconcilerError(
                "token authentication needs a project id",
                hint=f"set provider.project_id or {ENV_PROJECT}",
            )
        return TokenCredentials(token=token, project_id=project)
    ak = environ.get(ENV_AK) or profile.get("ak")
    sk = environ.get(ENV_SK) or profile.get("sk")
    if not ak or not sk:
        raise ReconcilerError(
            "no MetaStudio credentials found",
            hint=f"set {ENV_AK} and {ENV_SK}, the [basic] profile in ~/.huaweicloud/credentials,"
            f" or a token in {token_env or DEFAULT_TOKEN_ENV}",
        )
    if not project:
        raise ReconcilerError(
            "no project id", hint=f"set provider.project_id, {ENV_PROJECT} or the profile"
        )
    security = environ.get(ENV_SECURITY_TOKEN) or profile.get("security_token") or None
    return AkSkCredentials(ak, sk, project, security)
