"""One signed, rate-limited, retried HTTP exchange with the MetaStudio API."""

from __future__ import annotations

import json
import logging
import random
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import requests
from requests.adapters import HTTPAdapter

from reconciler import __version__, signing
from reconciler.metastudio.api import Operation, Retry
from reconciler.metastudio.credentials import AkSkCredentials, Credentials, TokenCredentials
from reconciler.metastudio.errors import (
    TENANT_MISMATCH,
    MetaStudioError,
    OutcomeUnknownError,
    TransportError,
    project_refused_hint,
)
from reconciler.metastudio.netfail import Failure, classify, host_of
from reconciler.metastudio.policy import (
    RateLimits,
    RetryPolicy,
    TryAgain,
    parse_retry_after,
    retrying,
)
from reconciler.metastudio.redact import guard_http_logs

log = logging.getLogger("reconciler.metastudio")

QueryValue = str | int | bool
SEND_BLOCK = 1 << 20  # bytes per socket send for streamed bodies (object stores like >= 128 KiB)


class _BlockAdapter(HTTPAdapter):
    """urllib3 sends file bodies in 16 KiB reads by default; large blocks cost fewer syscalls."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["blocksize"] = SEND_BLOCK
        super().init_poolmanager(*args, **kwargs)


def new_session(pool_size: int = 16) -> requests.Session:
    guard_http_logs()
    session = requests.Session()
    adapter = _BlockAdapter(pool_connections=pool_size, pool_maxsize=pool_size)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def unanswered(operation: str, failure: Failure, *, service: str = "MetaStudio") -> Exception:
    """A request that got no answer: worth another attempt when the failure may mend, a
    TransportError (naming the host and the kind of failure) once none is left."""
    final = TransportError(
        operation, cause=failure.sentence, retried=failure.retryable, service=service
    )
    if not failure.retryable:
        return final
    return TryAgain(final, why=failure.kind)


def no_answer(error: requests.RequestException, url: str, timeout: tuple[float, float]) -> Failure:
    return classify(error, host_of(url), connect_timeout=timeout[0], read_timeout=timeout[1])


@dataclass
class Transport:
    endpoint: str
    credentials: Credentials
    session: requests.Session = field(default_factory=new_session)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    limits: RateLimits = field(default_factory=RateLimits)
    timeout: tuple[float, float] = (10.0, 60.0)
    app_user_id: str | None = None
    user_agent: str = f"reconciler/{__version__}"
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)

    @property
    def project_id(self) -> str:
        return self.credentials.project_id

    def call(
        self,
        op: Operation,
        *,
        path_params: Mapping[str, str] | None = None,
        query: Iterable[tuple[str, QueryValue]] = (),
        body: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        path = f"/v1/{self.project_id}" + op.path.format(
            **{k: _segment(v) for k, v in (path_params or {}).items()}
        )
        pairs = [(k, signing.query_value(v)) for k, v in query]
        # Python's json.dumps default separators match the SDK's serialisation.
        payload = json.dumps(body, ensure_ascii=False).encode() if body is not None else b""

        renewed = False

        def attempt() -> Any:
            nonlocal renewed
            self.limits.acquire(op.rate_class)
            try:
                response = self._send(op, path, pairs, payload, headers or {})
            except requests.RequestException as error:
                failure = no_answer(error, self.endpoint, self.timeout)
                if op.retry is Retry.UNSAFE and failure.sent:
                    raise OutcomeUnknownError(op.name, cause=failure.sentence) from None
                raise unanswered(op.name, failure) from None
            status = response.status_code
            if status < 400:
                return _json(response, op.name)
            if status >= 500 and op.retry is Retry.UNSAFE:
                # The gateway answered, but did the backend act? Unknown: never repeat blindly.
                raise OutcomeUnknownError(op.name, cause=f"HTTP {status}", status=status)
            refused = MetaStudioError.from_response(
                op.name, status, response.text, response.headers.get("X-Request-Id")
            )
            if status == 401 and not renewed and self.credentials.renew():
                # Temporary keys refused before our clock saw them expire: once, with new ones.
                renewed = True
                raise TryAgain(refused, why="temporary keys refused", at_once=True)
            if refused.error_code == TENANT_MISMATCH:
                refused.hint = project_refused_hint(
                    self.project_id, self.credentials.project_source
                )
            if status == 429 or status >= 500:
                after = parse_retry_after(response.headers.get("Retry-After"))
                raise TryAgain(refused, why=f"HTTP {status}", retry_after=after)
            raise refused

        return retrying(self.retry, attempt, what=op.name, sleep=self.sleep, rng=self.rng)

    def _send(
        self,
        op: Operation,
        path: str,
        pairs: list[tuple[str, str]],
        payload: bytes,
        extra: Mapping[str, str],
    ) -> requests.Response:
        headers = {"Content-Type": "application/json", "User-Agent": self.user_agent, **extra}
        if op.app_user_header and self.app_user_id:
            headers["X-App-UserId"] = self.app_user_id
        creds = self.credentials.current()  # temporary keys are refreshed before they expire
        if isinstance(creds, TokenCredentials):
            headers["X-Auth-Token"] = creds.token
        elif isinstance(creds, AkSkCredentials):
            headers["X-Project-Id"] = creds.project_id
            if creds.security_token:
                headers["X-Security-Token"] = creds.security_token
            signing.sign(
                op.method,
                path,
                pairs,
                headers,
                payload,
                creds.access_key,
                creds.secret_key,
                urlsplit(self.endpoint).netloc,
            )
        query = signing.canonical_query(pairs)
        url = self.endpoint + path + (f"?{query}" if query else "")
        started = time.monotonic()
        response = self.session.request(
            op.method,
            url,
            data=payload or None,
            headers=headers,
            timeout=self.timeout,
            allow_redirects=False,
        )
        log.debug(
            "%s %s -> %d in %.3fs [request id %s]",
            op.method,
            path,
            response.status_code,
            time.monotonic() - started,
            response.headers.get("X-Request-Id"),
        )
        return response


def _segment(value: str) -> str:
    # Path parameters are percent-encoded with nothing safe, as the SDK does; "." and ".." too,
    # which quote leaves alone and URL normalisation would otherwise resolve to another path.
    if value in (".", ".."):
        return value.replace(".", "%2E")
    return quote(value, safe="")


def _json(response: requests.Response, operation: str) -> dict[str, Any]:
    """The answer's JSON object: every operation answers one, and the typed results read it
    with ``.get``, so anything else (a list, a bare string) is refused here, by name."""
    if not response.content:
        return {}
    try:
        body = response.json()
    except ValueError:
        body = None
        problem = "response is not JSON"
    else:
        problem = "response is not a JSON object"
    if isinstance(body, dict):
        return body
    raise MetaStudioError(
        operation,
        status=response.status_code,
        error_msg=problem,
        request_id=response.headers.get("X-Request-Id"),
    )


def new_request_id() -> str:
    return str(uuid.uuid4())
