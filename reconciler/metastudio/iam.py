"""The project id of a region, looked up in IAM as the SDK does when none is given.

``GET {iam}/v3/projects?name={region}``, signed with the same AK/SK as MetaStudio calls
(SDK-HMAC-SHA256, no ``X-Project-Id``: there is no project yet). Exactly one project must
answer. The answer is cached per region, IAM endpoint and key in ``.reconciler/projects.json``;
the key appears there only as a fingerprint, and nothing secret is stored.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from reconciler import __version__, signing
from reconciler.errors import ReconcilerError
from reconciler.fsutil import atomic_write, ensure_dir
from reconciler.metastudio.credentials import KeyPair
from reconciler.metastudio.errors import MetaStudioError, TransportError
from reconciler.metastudio.netfail import classify, host_of
from reconciler.metastudio.policy import RetryPolicy, TryAgain, retrying

log = logging.getLogger("reconciler.metastudio")
PROJECTS_PATH = "/v3/projects"
CACHE_NAME = "projects.json"
SERVICE = "IAM"
OPERATION = "list_projects"


@dataclass(frozen=True)
class ProjectCache:
    """``.reconciler/projects.json``: {entry key: project id}. A damaged file is ignored."""

    path: Path

    def get(self, key: str) -> str | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        entry = data.get("projects", {}).get(key) if isinstance(data, dict) else None
        found = entry.get("project_id") if isinstance(entry, dict) else None
        return found if isinstance(found, str) and found else None

    def put(self, key: str, project_id: str) -> None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            data = {}
        projects = data.get("projects") if isinstance(data, dict) else None
        projects = projects if isinstance(projects, dict) else {}
        projects[key] = {"project_id": project_id, "looked_up": int(time.time())}
        try:
            ensure_dir(self.path.parent)
            payload = {"format_version": 1, "projects": projects}
            atomic_write(self.path, (json.dumps(payload, indent=1, sort_keys=True) + "\n").encode())
        except (OSError, ReconcilerError) as error:
            # A cache that cannot be written costs one IAM call next time, nothing more.
            log.debug("project cache %s not written: %s", self.path, error)


def cache_key(region: str, iam_endpoint: str, keys: KeyPair) -> str:
    """Agency keys change at every refresh but belong to the machine's one agency."""
    if keys.expires_at is not None:
        principal = "agency"
    else:
        principal = "ak-" + hashlib.sha256(keys.access_key.encode()).hexdigest()[:16]
    return f"{region} {urlsplit(iam_endpoint).netloc} {principal}"


@dataclass
class ProjectLookup:
    iam_endpoint: str
    session: requests.Session
    timeout: tuple[float, float] = (10.0, 30.0)
    retry: RetryPolicy = field(default_factory=lambda: RetryPolicy(max_attempts=3))

    def project_of(self, region: str, keys: KeyPair) -> str:
        answer = retrying(
            self.retry,
            lambda: self._ask(region, keys),
            what=OPERATION,
            sleep=time.sleep,
            rng=random.Random(),  # noqa: S311 (backoff jitter, not a secret)
        )
        return _one_project(answer, region, host_of(self.iam_endpoint))

    def _ask(self, region: str, keys: KeyPair) -> dict[str, Any]:
        pairs = [("name", region)]
        headers = {"User-Agent": f"reconciler/{__version__}"}
        if keys.security_token:
            headers["X-Security-Token"] = keys.security_token
        host = urlsplit(self.iam_endpoint).netloc
        signing.sign(
            "GET", PROJECTS_PATH, pairs, headers, b"", keys.access_key, keys.secret_key, host
        )
        url = f"{self.iam_endpoint}{PROJECTS_PATH}?{signing.canonical_query(pairs)}"
        try:
            response = self.session.get(
                url, headers=headers, timeout=self.timeout, allow_redirects=False
            )
        except requests.RequestException as error:
            failure = classify(
                error,
                host_of(self.iam_endpoint),
                connect_timeout=self.timeout[0],
                read_timeout=self.timeout[1],
            )
            final = TransportError(
                OPERATION,
                cause=failure.sentence,
                retried=failure.retryable,
                service=SERVICE,
                hint=_IAM_HINT,
            )
            if failure.retryable:
                raise TryAgain(final, why=failure.kind) from None
            raise final from None
        trace = response.headers.get("X-IAM-Trace-Id") or response.headers.get("X-Request-Id")
        if response.status_code >= 400:
            refused = MetaStudioError.from_response(
                OPERATION,
                response.status_code,
                response.text,
                trace,
                service=SERVICE,
                hint=_refusal_hint(response.status_code),
            )
            if response.status_code == 429 or response.status_code >= 500:
                raise TryAgain(refused, why=f"HTTP {response.status_code}")
            raise refused
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise ReconcilerError(
                f"IAM at {host_of(self.iam_endpoint)} answered {OPERATION} with no JSON object"
            )
        return body


_IAM_HINT = (
    "check provider.iam_endpoint (or HUAWEICLOUD_SDK_IAM_ENDPOINT) and the network, "
    "or set provider.project_id"
)


def _refusal_hint(status: int) -> str:
    if status in (401, 403):
        return (
            "IAM refused these credentials: check the access key, secret key and clock; the "
            "user needs permission to list projects (iam:projects:list), or set provider.project_id"
        )
    return _IAM_HINT


def _one_project(body: dict[str, Any], region: str, host: str) -> str:
    projects = [
        p
        for p in body.get("projects") or []
        if isinstance(p, dict) and isinstance(p.get("id"), str)
    ]
    if not projects:
        raise ReconcilerError(
            f"IAM at {host} lists no project named {region!r} for these credentials",
            hint="check provider.region, or set provider.project_id (console: My Credentials > "
            "API Credentials lists the projects)",
        )
    if len(projects) > 1:
        ids = ", ".join(str(p["id"]) for p in projects)
        raise ReconcilerError(
            f"IAM at {host} lists {len(projects)} projects named {region!r} ({ids})",
            hint="set provider.project_id to the one to use",
        )
    return str(projects[0]["id"])
