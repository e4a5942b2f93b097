"""Which live assets hold the voice_names a plan would publish new models under.

Whichever costs fewer calls: one filtered listing per voice_name (the service's ``name``
filter is fuzzy, so the answer is matched exactly here), or paging through the tenant's whole
asset library, 100 assets per call, pages fetched at once. The first page of the whole
listing tells what it costs, and is not wasted when listing wins.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable

from reconciler.metastudio import MetaStudioClient
from reconciler.metastudio.client import PAGE_LIMIT
from reconciler.metastudio.models import Asset

# In the recycle bin an asset no longer holds its name (the emulator's assumption too).
GONE = frozenset({"DELETED"})


def live_assets_named(
    client: MetaStudioClient, voice_names: Collection[str]
) -> dict[str, tuple[str, ...]]:
    names = sorted(set(voice_names))
    if not names:
        return {}
    if len(names) > 1:  # one filtered listing is never beaten
        first = client.list_assets(limit=PAGE_LIMIT)
        if math.ceil(first.count / PAGE_LIMIT) - 1 <= len(names):
            return _by_name(client.iter_assets(first=first), names)
    found: dict[str, tuple[str, ...]] = {}
    for name in names:
        found.update(_by_name(client.iter_assets(name=name), [name]))
    return found


def _by_name(assets: Iterable[Asset], names: Collection[str]) -> dict[str, tuple[str, ...]]:
    wanted = set(names)
    found: dict[str, list[str]] = {}
    for asset in assets:
        if asset.asset_name in wanted and asset.asset_state not in GONE:
            found.setdefault(asset.asset_name, []).append(asset.asset_id)
    return {name: tuple(ids) for name, ids in found.items()}
