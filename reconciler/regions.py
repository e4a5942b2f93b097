"""Where MetaStudio voice training is offered: shared by the config check and the client."""

from __future__ import annotations

# The SDK's region file (cn-north-4, cn-east-3) and the service-limits page (cn-north-4,
# ap-southeast-3); API doc sections 6 and 9.
SERVED_REGIONS = ("cn-north-4", "cn-east-3", "ap-southeast-3")


def region_problem(region: str) -> str | None:
    """Why MetaStudio cannot be reached by this region's name alone, or None."""
    if region in SERVED_REGIONS:
        return None
    return (
        f"MetaStudio voice training is not offered in region {region!r} "
        f"(it is in {', '.join(SERVED_REGIONS)}); set provider.endpoint as well "
        "to use a region this list lacks"
    )
