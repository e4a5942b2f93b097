"""What went wrong when a request got no answer, in one sentence that names the host.

DNS failure, TLS failure, timeout and a refused connection each get their own sentence,
because each asks for a different fix (the name, the scheme or certificate, the network,
the port). Only the failures another attempt may mend are worth retrying.
"""

from __future__ import annotations

import errno
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from urllib3.exceptions import NameResolutionError, NewConnectionError


@dataclass(frozen=True)
class Failure:
    kind: str  # dns, tls, connect_timeout, read_timeout, refused, reset
    sentence: str
    retryable: bool
    sent: bool  # whether the request may have reached the server


def host_of(url: str) -> str:
    """``host`` or ``host:port`` of a URL: never its path or query (presigned URLs)."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    host = f"[{host}]" if ":" in host else host
    return f"{host}:{parts.port}" if parts.port else host


def _reason(error: BaseException) -> BaseException | None:
    """The error wrapped in ``error``'s first argument: requests wraps urllib3's MaxRetryError,
    whose ``reason`` is the real failure; urllib3's SSLError wraps the ssl module's."""
    inner = error.args[0] if error.args else None
    if not isinstance(inner, BaseException):
        return None
    reason = getattr(inner, "reason", None)
    return reason if isinstance(reason, BaseException) else inner


def _walk(error: BaseException | None) -> list[BaseException]:
    seen: list[BaseException] = []
    while error is not None and error not in seen:
        seen.append(error)
        error = error.__cause__ or error.__context__ or _reason(error)
    return seen


def _dns(chain: list[BaseException]) -> socket.gaierror | None:
    for item in chain:
        if isinstance(item, socket.gaierror):
            return item
        if isinstance(item, NameResolutionError):
            inner = _reason(item) or item.__cause__
            return inner if isinstance(inner, socket.gaierror) else socket.gaierror(0, str(item))
    return None


def _errno(chain: list[BaseException]) -> int | None:
    for item in chain:
        if isinstance(item, OSError) and item.errno is not None:
            return item.errno
    return None


def _tls_reason(chain: list[BaseException]) -> str:
    # Only the ssl module's own error: the wrappers' texts carry the URL, query included.
    for item in chain:
        if isinstance(item, ssl.SSLCertVerificationError):
            return str(item.verify_message or "certificate verify failed")
        if isinstance(item, ssl.SSLError):
            return str(item.reason or "handshake failed").lower().replace("_", " ")
    return "handshake failed"


def _seconds(timeout: float | None) -> str:
    return f"{timeout:g} s" if timeout is not None else "the timeout"


def classify(
    error: requests.RequestException,
    host: str,
    *,
    connect_timeout: float | None = None,
    read_timeout: float | None = None,
) -> Failure:
    chain = _walk(error)
    if isinstance(error, requests.ConnectTimeout):
        return Failure(
            "connect_timeout",
            f"no connection to {host} within {_seconds(connect_timeout)} (timeout)",
            retryable=True,
            sent=False,
        )
    if isinstance(error, requests.ReadTimeout):
        return Failure(
            "read_timeout",
            f"{host} accepted the connection but sent no answer within "
            f"{_seconds(read_timeout)} (timeout)",
            retryable=True,
            sent=True,
        )
    if isinstance(error, requests.exceptions.SSLError):
        return Failure(
            "tls",
            f"TLS with {host} failed ({_tls_reason(chain)}): wrong scheme (http vs https), "
            "or a certificate this machine does not trust",
            retryable=False,
            sent=False,  # the handshake comes before the request
        )
    gai = _dns(chain)
    if gai is not None:
        # Not retried, even a resolver's "temporary failure": the system resolver has already
        # retried, and a name that fails now rarely resolves within a backoff's seconds.
        again = gai.errno == socket.EAI_AGAIN
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return Failure(
            "dns",
            f"the host name {name} does not resolve (DNS"
            + (": temporary failure, no answer from the resolver)" if again else ")"),
            retryable=False,
            sent=False,
        )
    connect_failed = any(isinstance(item, NewConnectionError) for item in chain)
    if connect_failed and _errno(chain) == errno.ECONNREFUSED:
        return Failure(
            "refused",
            f"{host} refused the connection (nothing listens on that port)",
            retryable=True,
            sent=False,
        )
    if connect_failed:
        code = _errno(chain)
        why = errno.errorcode.get(code, "") if code is not None else ""
        return Failure(
            "unreachable",
            f"no connection to {host} ({why or type(error).__name__}: host unreachable?)",
            retryable=True,
            sent=False,
        )
    cause = next((type(i).__name__ for i in reversed(chain) if isinstance(i, OSError)), None)
    return Failure(
        "reset",
        f"{host} closed the connection without an answer ({cause or type(error).__name__})",
        retryable=True,
        sent=True,
    )
