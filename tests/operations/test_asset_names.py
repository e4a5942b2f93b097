"""The name lookups of the clash check against the emulator: the answer is exactly the live
assets of each name whichever way it is found, the calls are counted, and the lookups run
at once, each through the client's rate limiter."""

from __future__ import annotations

import math
from collections.abc import Iterator

import pytest

from bench.project import succeeded_job
from reconciler.emulator import Emulator, FaultPlan
from reconciler.metastudio import MetaStudioClient
from reconciler.metastudio.policy import RateLimits
from reconciler.operations.asset_names import LOOKUPS, live_assets_named
from tests.metastudio.conftest import emulator_config, make_client

ASSETS = 1_000  # voice_names "6" .. "1005"
PAGES = math.ceil(ASSETS / 100)
DELETED = "17"  # its asset is in the recycle bin, which does not hold the name


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Emulator]:
    config = emulator_config(tmp_path_factory.mktemp("emulator"))
    with Emulator(config, host="127.0.0.1", port=0) as emulator:
        emulator.seed_jobs(succeeded_job(f"j{i}", str(i)) for i in range(6, 6 + ASSETS))
        # A second live asset of a name: the answer must carry both, in listing order.
        emulator.seed_jobs([succeeded_job("again", "42")])
        with make_client(emulator.base_url) as client:
            (gone,) = [a for a in client.iter_assets(name=DELETED) if a.asset_name == DELETED]
            client.delete_asset(gone.asset_id)
        yield emulator


def exact(client: MetaStudioClient, names: set[str]) -> dict[str, tuple[str, ...]]:
    """The answer from the whole listing, one page after the other."""
    found: dict[str, list[str]] = {}
    for asset in client.iter_assets():
        if asset.asset_name in names:
            found.setdefault(asset.asset_name, []).append(asset.asset_id)
    return {name: tuple(ids) for name, ids in found.items()}


def list_calls(emulator: Emulator) -> int:
    calls = int(emulator.stats()["operations"].get("list_assets", 0))
    emulator.reset_stats()
    return calls


@pytest.mark.parametrize(
    "names",
    [
        {"Brand new"},  # matches nothing: one call
        {"7"},  # one name whose fuzzy listing has pages to go
        {"42", "100", "1000"},  # few names, few pages: filtered
        {"1", "2", "3"},  # few names, each in hundreds of names: the whole listing
        {str(i) for i in range(6, 20)},  # more names than the library has pages
        {DELETED, "42"},
    ],
    ids=["no match", "one fuzzy", "filtered", "switch", "many", "deleted and twice"],
)
def test_the_answer_is_the_exact_live_matches_for_at_most_the_cheaper_cost(
    library: Emulator, names: set[str]
) -> None:
    with make_client(library.base_url) as client:
        expected = exact(client, names)
        # What the filtered listings cost beyond their first pages, by the service's count.
        counts = [client.list_assets(name=n, limit=1).count for n in names]
        later = sum(max(0, math.ceil(count / 100) - 1) for count in counts)
        list_calls(library)
        assert live_assets_named(client, names) == expected
    assert "42" not in names or len(expected["42"]) == 2
    assert DELETED not in expected
    n = len(names)
    if n == 1:  # its listing, never dearer than the whole one it is part of
        most = 1 + later
    elif n >= PAGES - 1:  # the probe tells the whole listing costs no more than the names
        most = PAGES
    else:  # the probe, one first page per name, and the cheaper of the rest
        most = 1 + n + min(later, PAGES - 1)
    assert list_calls(library) == most


def test_lookups_run_at_once(library: Emulator) -> None:
    names = {f"Brand new {i}" for i in range(8)}  # fewer than the library's pages: filtered
    library.set_faults(FaultPlan.parse({"list_assets": {"latency": 0.2}}))
    try:
        with make_client(library.base_url) as client:
            library.reset_stats()
            assert live_assets_named(client, names) == {}
    finally:
        library.set_faults(FaultPlan())
    stats = library.stats()
    assert stats["operations"]["list_assets"] == 1 + len(names)
    assert 1 < stats["peak"]["list_assets"] <= LOOKUPS


def test_every_lookup_waits_its_turn_at_the_rate_limiter(library: Emulator) -> None:
    """The query limit's tokens are taken by every concurrent lookup: with the clock
    stopped, each call beyond the burst is told to wait one interval longer."""
    waits: list[float] = []
    limits = RateLimits({"query": 4.0}, clock=lambda: 0.0, sleep=waits.append)
    names = {f"Brand new {i}" for i in range(8)}
    with make_client(library.base_url) as client:
        client.transport.limits = limits
        assert live_assets_named(client, names) == {}
    assert sorted(waits) == pytest.approx([n / 4.0 for n in range(1, 1 + len(names) + 1 - 4)])
