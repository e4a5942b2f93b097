"""The ECS/CCE metadata service's temporary keys, as the SDK's MetadataAccessor reads them.

``PUT /meta-data/latest/api/token`` (``X-Metadata-Token-Ttl-Seconds``) gives a session token;
``GET /openstack/latest/securitykey`` answers ``{"credential": {"access", "secret",
"securitytoken", "expires_at"}}`` for the instance's agency, which here is the default project.
A session token that is unknown or expired gets 401 (the SDK then asks for a new one); an
instance without an agency gets 401 "Please configure Cloud Service Agency first".
"""

from __future__ import annotations

from datetime import datetime, timezone

from reconciler.emulator.core import Core
from reconciler.emulator.wire import Exchange, Response, header, json_response

TOKEN_PATH = "/meta-data/latest/api/token"  # noqa: S105 (a path)
SECURITY_KEY_PATH = "/openstack/latest/securitykey"
PREFIXES = ("/meta-data/", "/openstack/")
NO_AGENCY = "Please configure Cloud Service Agency first"
MAX_TOKEN_TTL = 6 * 3600


def _text(status: int, text: str) -> Response:
    return Response(status, text.encode(), "text/plain")


def _expires(at: float) -> str:
    return datetime.fromtimestamp(at, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _session_token(core: Core, exchange: Exchange) -> Response:
    if exchange.method != "PUT":
        return _text(405, "method not allowed")
    ttl_text = header(exchange.headers_map, "X-Metadata-Token-Ttl-Seconds") or ""
    if not ttl_text.strip().isdigit() or not 1 <= int(ttl_text) <= MAX_TOKEN_TTL:
        return _text(400, f"X-Metadata-Token-Ttl-Seconds must be 1 to {MAX_TOKEN_TTL}")
    return _text(200, core.agency.session_token(core.now() + int(ttl_text)))


def _security_key(core: Core, exchange: Exchange) -> Response:
    if exchange.method != "GET":
        return _text(405, "method not allowed")
    token = header(exchange.headers_map, "X-Metadata-Token")
    if token is not None and not core.agency.session_token_valid(token, core.now()):
        return _text(401, "the metadata session token is invalid or expired")
    project = core.config.default_project
    if not core.config.agency or project is None:
        return json_response({"error": NO_AGENCY}, 401)
    expires_at = core.now() + core.config.metadata_ttl_seconds
    credential = core.agency.issue(project, expires_at)
    return json_response(
        {
            "credential": {
                "access": credential.ak,
                "secret": credential.sk,
                "securitytoken": credential.security_token,
                "expires_at": _expires(expires_at),
            }
        }
    )


def handle_metadata(core: Core, exchange: Exchange) -> None:
    exchange.drain_body()
    if exchange.raw_path == TOKEN_PATH:
        core.stats.count("get_metadata_token")
        exchange.send(_session_token(core, exchange))
    elif exchange.raw_path == SECURITY_KEY_PATH:
        core.stats.count("get_securitykey")
        exchange.send(_security_key(core, exchange))
    else:
        core.stats.count("metadata_unknown")
        exchange.send(_text(404, "not found"))
