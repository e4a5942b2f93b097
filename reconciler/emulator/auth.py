"""Authentication of /v1 calls: an IAM token, or an SDK-HMAC-SHA256 signature.

The signature is rebuilt from exactly what arrived (raw path, query pairs, header values,
body bytes) with the shared signing module, so client and emulator cannot drift apart.
Error messages never carry a secret, a token or a signature.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable

from reconciler import signing
from reconciler.emulator.config import Credential, EmulatorConfig
from reconciler.emulator.errors import auth_failed, tenant_mismatch
from reconciler.emulator.wire import Request

# Always signed by the SDK; without them a signature could be replayed at another endpoint.
_REQUIRED = ("host", signing.DATE_HEADER.lower())
# Headers the emulator acts on. The SDK signs each one it sends, so one that arrives unsigned
# was added on the way and must not steer the call.
_MEANINGFUL = (
    *_REQUIRED,
    "content-type",
    "x-project-id",
    "x-security-token",
    "x-app-userid",
    signing.CONTENT_SHA_HEADER.lower(),
)
_JSON_TYPES = ("application/json", "application/bson")


def authenticate(
    config: EmulatorConfig,
    request: Request,
    now: float,
    *,
    issued: Callable[[str], Credential | None] = lambda access_key: None,
    emulated_now: float | None = None,
) -> Credential | None:
    """The AK/SK credential the request is signed with (None for a token). ``now`` is the
    wall clock (X-Sdk-Date is checked against it); ``emulated_now`` the emulated world's,
    which temporary keys from the metadata service expire by."""
    token = request.header("X-Auth-Token")
    if token is not None:
        _check_token(config, request, token)
        return None
    credential = verify_signature(config, request, now, issued=issued, emulated_now=emulated_now)
    header_project = request.header("X-Project-Id")
    if header_project != credential.project_id or request.project_id != credential.project_id:
        raise tenant_mismatch("the project in the URL and X-Project-Id must be the access key's")
    return credential


def verify_signature(
    config: EmulatorConfig,
    request: Request,
    now: float,
    *,
    issued: Callable[[str], Credential | None] = lambda access_key: None,
    emulated_now: float | None = None,
) -> Credential:
    """The credential whose SDK-HMAC-SHA256 signature the request carries (MetaStudio and IAM
    check signatures alike)."""
    value = request.header("Authorization")
    if not value:
        raise auth_failed("no Authorization or X-Auth-Token header")
    parsed = signing.parse_authorization(value)
    if parsed is None:
        raise auth_failed("the Authorization header is not SDK-HMAC-SHA256")
    credential = config.credential(parsed.access_key) or issued(parsed.access_key)
    if credential is None:
        raise auth_failed("the access key is unknown")
    _check_date(config, request, now)
    _check_coverage(request, parsed.signed_headers)
    if not signing.verify(
        request.method,
        request.path,
        request.query,
        request.headers,
        request.body,
        parsed,
        credential.sk,
    ):
        raise auth_failed("verify aksk signature fail")
    _check_security_token(credential, request)
    expires = credential.expires_at
    if expires is not None and (now if emulated_now is None else emulated_now) >= expires:
        raise auth_failed("the temporary access key and its security token have expired")
    return credential


def _check_coverage(request: Request, signed: list[str]) -> None:
    """Refuse what the signature would not vouch for, before checking the signature itself."""
    present = {name.lower() for name in request.headers}
    for name in _REQUIRED:
        if name not in signed:
            raise auth_failed(f"{name} is not among the SignedHeaders")
    for name in _MEANINGFUL:
        if name in present and name not in signed:
            raise auth_failed(f"{name} is sent but not among the SignedHeaders")
    missing = next((name for name in signed if name not in present), None)
    if missing is not None:
        raise auth_failed(f"the signed header {missing} is not in the request")
    if "%2f" in request.path.lower():
        # The canonical URI decodes %2F into a separator, so the signature cannot tell it
        # from a real "/" and would vouch for a different route.
        raise auth_failed("the path has an encoded '/' that the signature does not cover")
    content_type = (request.header("Content-Type") or "").strip().lower()
    declared = (request.header(signing.CONTENT_SHA_HEADER) or "").strip()
    if declared == signing.UNSIGNED_PAYLOAD and content_type.startswith(_JSON_TYPES):
        # The SDK leaves only non-JSON payloads unsigned (API doc section 5.2 step 7).
        raise auth_failed(f"{signing.UNSIGNED_PAYLOAD} is not allowed for a JSON body")


def _check_token(config: EmulatorConfig, request: Request, token: str) -> None:
    project = next((p for known, p in config.tokens.items() if _same(known, token)), None)
    if project is None:
        raise auth_failed("the token is invalid or expired")
    if project != request.project_id:
        raise tenant_mismatch("the token belongs to another project")


def _check_date(config: EmulatorConfig, request: Request, now: float) -> None:
    date = signing.parse_sdk_date(request.header(signing.DATE_HEADER) or "")
    if date is None:
        raise auth_failed("X-Sdk-Date is missing or not YYYYMMDDTHHMMSSZ")
    if abs(date.timestamp() - now) > config.max_clock_skew_seconds:
        raise auth_failed("X-Sdk-Date is more than 15 minutes away from the server time")


def _check_security_token(credential: Credential, request: Request) -> None:
    if credential.security_token is None:
        return
    sent = request.header("X-Security-Token") or ""
    if not _same(sent, credential.security_token):
        raise auth_failed("X-Security-Token does not match the temporary credential")


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
