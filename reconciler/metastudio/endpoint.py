"""Where the API lives: a region's public endpoint, or an explicit URL; and where IAM is."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from reconciler.errors import ReconcilerError
from reconciler.regions import region_problem

REGION_ENDPOINT = "https://metastudio.{region}.myhuaweicloud.com"
IAM_ENDPOINT = "https://iam.{region}.myhuaweicloud.com"


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


def check_region(region: str) -> str:
    if not region or not all(c.isalnum() or c == "-" for c in region):
        raise ReconcilerError(f"invalid region {region!r}", hint="for example cn-north-4")
    return region


def resolve_endpoint(*, region: str | None = None, endpoint: str | None = None) -> str:
    """The explicit endpoint when given (the region then only names the project), else the
    region's public endpoint."""
    if endpoint:
        url = endpoint if "://" in endpoint else f"https://{endpoint}"
        return check_transport(url.rstrip("/"), "endpoint")
    if region:
        problem = region_problem(check_region(region))
        if problem is not None:
            raise ReconcilerError(problem)
        return REGION_ENDPOINT.format(region=region)
    raise ReconcilerError("no MetaStudio endpoint", hint="set provider.region or provider.endpoint")


def resolve_iam_endpoint(region: str, override: str | None = None) -> str:
    """Where the project of ``region`` is looked up: ``override`` (provider.iam_endpoint, else
    HUAWEICLOUD_SDK_IAM_ENDPOINT, the SDK's variable), else the region's IAM."""
    if override:
        url = override if "://" in override else f"https://{override}"
        return check_transport(url.rstrip("/"), "IAM endpoint")
    return IAM_ENDPOINT.format(region=check_region(region))
