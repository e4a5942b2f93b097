"""Where the API lives: a region's public endpoint, or an explicit URL."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from reconciler.errors import ReconcilerError

REGION_ENDPOINT = "https://metastudio.{region}.myhuaweicloud.com"


def is_loopback_host(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_transport(url: str, what: str) -> str:
    """Refuse plain http except to loopback: credentials and training data are at stake."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url
    if parts.scheme == "http" and is_loopback_host(parts.hostname):
        return url
    raise ReconcilerError(
        f"refusing {what} {parts.scheme or '(no scheme)'}://{parts.hostname or ''}: "
        "only https, or plain http to a loopback address, is allowed"
    )


def resolve_endpoint(*, region: str | None = None, endpoint: str | None = None) -> str:
    if endpoint and region:
        raise ReconcilerError("give either a region or an endpoint, not both")
    if endpoint:
        url = endpoint if "://" in endpoint else f"https://{endpoint}"
        return check_transport(url.rstrip("/"), "endpoint")
    if region:
        if not all(c.isalnum() or c == "-" for c in region):
            raise ReconcilerError(f"invalid region {region!r}", hint="for example cn-north-4")
        return REGION_ENDPOINT.format(region=region)
    raise ReconcilerError("no MetaStudio endpoint", hint="set provider.region or provider.endpoint")
