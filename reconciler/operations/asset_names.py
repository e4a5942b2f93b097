"""Which live assets hold the voice_names a plan would publish new models under.

Two ways to find out: one filtered listing per voice_name, or paging through the tenant's
whole asset library, 100 assets per call. The service's ``name`` filter is fuzzy (the answer
is matched exactly here), so a short name can cost as many pages as the library: a
filtered listing's first page tells what the rest of it costs, as the library's first page
(the probe) tells what the whole listing costs. The cheaper way is taken once those are
known, so the check costs at most the probe, one first page per name, and the cheaper of the
rest; a single name needs no probe, as its listing is part of the whole. Lookups run at
once on a few threads, within the client's rate limits; the results and the first error
are those of looking the names up one after the other.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from reconciler.metastudio import MetaStudioClient
from reconciler.metastudio.client import PAGE_LIMIT
from reconciler.metastudio.models import Asset, AssetPage

# In the recycle bin an asset no longer holds its name (the emulator's assumption too).
GONE = frozenset({"DELETED"})
LOOKUPS = 8  # concurrent listings: the query limit (20/s) paces them, not this
T = TypeVar("T")
R = TypeVar("R")


def live_assets_named(
    client: MetaStudioClient, voice_names: Collection[str]
) -> dict[str, tuple[str, ...]]:
    names = sorted(set(voice_names))
    if not names:
        return {}
    probe = None
    if len(names) > 1:
        probe = client.list_assets(limit=PAGE_LIMIT)
        if _later_pages(probe) <= len(names):
            return _by_name(client.iter_assets(first=probe), names)
    with ThreadPoolExecutor(max_workers=min(LOOKUPS, len(names))) as pool:
        firsts = _in_order(pool, lambda n: client.list_assets(limit=PAGE_LIMIT, name=n), names)
        later = sum(_later_pages(first) for first in firsts)
        # A single name's listing is part of the whole: never dearer, no probe needed.
        if probe is not None and _later_pages(probe) < later:
            return _by_name(client.iter_assets(first=probe), names)
        wanted = [(n, offset) for n, f in zip(names, firsts, strict=True) for offset in _rest(f)]
        pages = _in_order(
            pool, lambda w: client.list_assets(offset=w[1], limit=PAGE_LIMIT, name=w[0]), wanted
        )
    listed = {name: list(first.assets) for name, first in zip(names, firsts, strict=True)}
    for (name, _), page in zip(wanted, pages, strict=True):
        listed[name] += page.assets
    # Each name from its own listing only, as when they were looked up one after the other.
    found: dict[str, tuple[str, ...]] = {}
    for name, assets in listed.items():
        found.update(_by_name(assets, [name]))
    return found


def _in_order(pool: ThreadPoolExecutor, call: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """``call`` of each item, at once; results, and the first item's error, in their order."""
    return list(pool.map(call, items))


def _later_pages(first: AssetPage) -> int:
    return max(0, math.ceil(first.count / PAGE_LIMIT) - 1)


def _rest(first: AssetPage) -> range:
    return range(PAGE_LIMIT, first.count, PAGE_LIMIT)


def _by_name(assets: Iterable[Asset], names: Collection[str]) -> dict[str, tuple[str, ...]]:
    """Each name's live assets in listing order, each once (a page can shift under a listing
    when an asset is created meanwhile)."""
    wanted = set(names)
    found: dict[str, dict[str, None]] = {}
    for asset in assets:
        if asset.asset_name in wanted and asset.asset_state not in GONE:
            found.setdefault(asset.asset_name, {})[asset.asset_id] = None
    return {name: tuple(ids) for name, ids in found.items()}
