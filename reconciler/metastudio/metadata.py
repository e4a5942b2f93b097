"""Temporary keys from the ECS/CCE metadata service, the way the SDK's MetadataAccessor gets them.

A server or CI runner on Huawei Cloud with an agency attached gets an access key, secret key
and security token from ``http://169.254.169.254/openstack/latest/securitykey`` (first asking
``PUT /meta-data/latest/api/token`` for a session token, sent back as ``X-Metadata-Token``).
The SDK has no setting for that address; ``HUAWEICLOUD_SDK_METADATA_URL`` overrides it here
(tests point it at the emulator). Off the cloud nothing answers there, so the timeouts are
the SDK's short ones and nothing is retried: the chain's last link fails in a few seconds.
A command given ``--timeout T`` waits less if T is shorter: one fetch (its two or three
requests together) has T seconds, each request's connect and read wait being the SDK's or
what is left of T, whichever is shorter.
"""

from __future__ import annotations

import ipaddress
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

import requests

from reconciler.errors import ReconcilerError
from reconciler.metastudio.credentials import KeyPair
from reconciler.metastudio.endpoint import is_loopback_host
from reconciler.metastudio.errors import MetaStudioError, TransportError
from reconciler.metastudio.netfail import classify, host_of

ENV_METADATA_URL = "HUAWEICLOUD_SDK_METADATA_URL"
DEFAULT_METADATA_URL = "http://169.254.169.254"
TOKEN_PATH = "/meta-data/latest/api/token"  # noqa: S105 (a path)
SECURITY_KEY_PATH = "/openstack/latest/securitykey"
TOKEN_HEADER = "X-Metadata-Token"  # noqa: S105 (a header name)
TOKEN_TTL_HEADER = "X-Metadata-Token-Ttl-Seconds"  # noqa: S105 (a header name)
TOKEN_TTL_SECONDS = 6 * 60 * 60
TIMEOUT = (3.0, 3.0)  # the SDK's (connect, read)
NO_AGENCY = "Please configure Cloud Service Agency first"
SERVICE = "metadata service"
# The SDK's format for expires_at; an ISO 8601 time without fractions is taken too.
EXPIRES_FORMATS = ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ")


def metadata_url(environ: Mapping[str, str]) -> str:
    """The metadata service's base URL: plain http, as the real one is, only to a link-local
    or loopback address; https anywhere."""
    url = (environ.get(ENV_METADATA_URL) or DEFAULT_METADATA_URL).rstrip("/")
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        return url
    if parts.scheme == "http" and (is_loopback_host(host) or _link_local(host)):
        return url
    raise ReconcilerError(
        f"refusing {ENV_METADATA_URL}={url}: the metadata service is plain http only on a "
        "link-local (169.254.x.x) or loopback address; use https elsewhere"
    )


def _link_local(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_link_local
    except ValueError:
        return False


def parse_expiry(value: object) -> float | None:
    if not isinstance(value, str):
        return None
    for fmt in EXPIRES_FORMATS:
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=timezone.utc).timestamp()
        except ValueError:
            continue
    return None


@dataclass
class MetadataService:
    url: str
    session: requests.Session
    timeout: tuple[float, float] = TIMEOUT
    budget: float | None = None  # the command's --timeout: one fetch waits no longer
    clock: Callable[[], float] = time.monotonic
    calls: int = 0
    _deadline: float | None = field(default=None, init=False, repr=False)  # of this fetch

    def fetch(self) -> KeyPair:
        """The current temporary keys (one token request, then the security key)."""
        self._deadline = None if self.budget is None else self.clock() + self.budget
        token = self._session_token()
        response = self._get(token)
        if response.status_code == 401 and NO_AGENCY not in response.text:
            response = self._get(self._session_token())  # the session token had expired
        if response.status_code >= 400:
            hint = (
                "attach an agency to this ECS or CCE node, or set HUAWEICLOUD_SDK_AK/SK"
                if NO_AGENCY in response.text
                else None
            )
            raise MetaStudioError.from_response(
                "get_securitykey",
                response.status_code,
                response.text,
                response.headers.get("X-Request-Id"),
                service=f"{SERVICE} at {host_of(self.url)}",
                hint=hint,
            )
        return self._keys(response)

    def _session_token(self) -> str | None:
        headers = {TOKEN_TTL_HEADER: str(TOKEN_TTL_SECONDS)}
        response = self._request("PUT", TOKEN_PATH, "get_token", headers)
        if response.status_code == 200:
            return response.text.strip() or None
        if response.status_code in (404, 405, 503):
            return None  # an older metadata service without session tokens (as the SDK)
        raise MetaStudioError.from_response(
            "get_token",
            response.status_code,
            response.text,
            response.headers.get("X-Request-Id"),
            service=f"{SERVICE} at {host_of(self.url)}",
        )

    def _get(self, token: str | None) -> requests.Response:
        headers = {TOKEN_HEADER: token} if token else {}
        return self._request("GET", SECURITY_KEY_PATH, "get_securitykey", headers)

    def _request(
        self, method: str, path: str, operation: str, headers: dict[str, str]
    ) -> requests.Response:
        connect, read = self._timeouts(operation)
        self.calls += 1
        try:
            return self.session.request(
                method,
                self.url + path,
                headers=headers,
                timeout=(connect, read),
                allow_redirects=False,
            )
        except requests.RequestException as error:
            # As waited, to the hundredth: what is left of a budget is no round number.
            waited = {"connect_timeout": round(connect, 2), "read_timeout": round(read, 2)}
            failure = classify(error, host_of(self.url), **waited)
            raise self._failed(operation, failure.sentence) from None

    def _timeouts(self, operation: str) -> tuple[float, float]:
        """The SDK's waits, cut to what is left of the budget."""
        if self._deadline is None:
            return self.timeout
        left = self._deadline - self.clock()
        if left <= 0:
            raise self._failed(
                operation,
                f"{host_of(self.url)} did not give the keys within the --timeout of "
                f"{self.budget:g} s",
            )
        return min(self.timeout[0], left), min(self.timeout[1], left)

    def _failed(self, operation: str, cause: str) -> TransportError:
        return TransportError(
            operation,
            cause=cause,
            retried=False,
            service=SERVICE,
            hint=f"no temporary credentials: not on a Huawei Cloud ECS/CCE node? Set "
            f"HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK, or {ENV_METADATA_URL}",
        )

    def _keys(self, response: requests.Response) -> KeyPair:
        try:
            body: Any = json.loads(response.text)
        except ValueError:
            body = None
        inner = body.get("credential") if isinstance(body, dict) else None
        fields = inner if isinstance(inner, dict) else {}
        access, secret = fields.get("access"), fields.get("secret")
        token, expires = fields.get("securitytoken"), parse_expiry(fields.get("expires_at"))
        if not all(isinstance(v, str) and v for v in (access, secret, token)) or expires is None:
            raise ReconcilerError(
                f"the {SERVICE} at {host_of(self.url)} answered without temporary credentials "
                "(credential.access, secret, securitytoken and expires_at)"
            )
        return KeyPair(
            str(access), str(secret), str(token), f"the {SERVICE} (agency)", expires_at=expires
        )
