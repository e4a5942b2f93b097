"""List jobs: filters, sort order, stable paging, count; the work bulk seeding costs."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reconciler.emulator import Emulator, atomic, listing
from reconciler.emulator.model import Job
from reconciler.emulator.store import SHARDS
from tests.emulator.conftest import MakeEmulator
from tests.emulator.helpers import OTHER_PROJECT, USER, Api

BASE = 1_700_000_000


@pytest.fixture
def emu(make_emulator: MakeEmulator) -> Emulator:
    # Seeded jobs in WAITING would otherwise train to SUCCEED on the first read.
    return make_emulator(seconds_per_state=-1)


def _seed(emu: Emulator) -> list[str]:
    jobs: list[dict[str, Any]] = []
    for i in range(30):
        jobs.append(
            {
                "job_id": f"job-{i:02d}",
                "voice_name": f"voice-{i % 10}",
                "state": ("CREATING", "FAILED", "WAITING")[i % 3],
                "job_type": ("BASIC", "MIDDLE")[i % 2],
                "tag": "NEWS" if i < 5 else "LIVE",
                "batch_name": "even" if i % 2 == 0 else "odd",
                # pairs of jobs share a create time, so the job_id tie-break matters
                "create_time": BASE + (i // 2) * 60,
                "lastupdate_time": BASE + 10_000 - i,
            }
        )
    jobs.append({"job_id": "elsewhere", "project_id": OTHER_PROJECT, "voice_name": "voice-1"})
    return emu.seed_jobs(jobs)


def _list(api: Api, **params: str) -> dict[str, Any]:
    result: dict[str, Any] = api.ok("GET", f"{USER}/jobs", query=sorted(params.items()))
    return result


def _ids(result: dict[str, Any]) -> list[str]:
    return [job["job_id"] for job in result["jobs"]]


def test_default_page_is_ten_newest_first(emu: Emulator, api: Api) -> None:
    _seed(emu)
    result = _list(api)
    assert result["count"] == 30  # the other project's job is invisible
    assert _ids(result) == [f"job-{i:02d}" for i in range(29, 19, -1)]


def test_paging_is_stable_and_complete(emu: Emulator, api: Api) -> None:
    _seed(emu)
    seen = []
    for offset in range(0, 30, 7):
        seen += _ids(_list(api, offset=str(offset), limit="7", sort_dir="asc"))
    assert seen == [f"job-{i:02d}" for i in range(30)]
    assert _list(api, offset="100")["jobs"] == []


def test_filters(emu: Emulator, api: Api) -> None:
    _seed(emu)
    assert _list(api, state="FAILED,WAITING", limit="100")["count"] == 20
    assert _list(api, voice_name="voice-3")["count"] == 3
    assert _list(api, voice_name="voice")["count"] == 0  # exact match, not substring
    assert _list(api, tag="NEWS")["count"] == 5
    assert _list(api, job_type="MIDDLE")["count"] == 15
    assert _list(api, batch_name="even")["count"] == 15
    assert _ids(_list(api, job_id="job-07")) == ["job-07"]
    combined = _list(api, state="CREATING", job_type="BASIC", limit="100")
    assert {job["job_id"] for job in combined["jobs"]} == {
        f"job-{i:02d}" for i in (0, 6, 12, 18, 24)
    }


def test_time_ranges_and_update_sort(emu: Emulator, api: Api) -> None:
    _seed(emu)
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(BASE + 14 * 60))
    result = _list(api, create_since=since, sort_dir="asc")
    assert _ids(result) == ["job-28", "job-29"]
    until = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(BASE))
    assert _ids(_list(api, create_until=until, sort_dir="asc")) == ["job-00", "job-01"]
    by_update = _list(api, sort_key="update_time", sort_dir="desc", limit="3")
    assert _ids(by_update) == ["job-00", "job-01", "job-02"]
    upd = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(BASE + 10_000 - 1))
    assert _list(api, update_since=upd)["count"] == 2


def test_bad_list_parameters(api: Api) -> None:
    for params in (
        {"limit": "0"},
        {"limit": "101"},
        {"offset": "-1"},
        {"state": "NOPE"},
        {"sort_key": "name"},
        {"sort_dir": "up"},
        {"create_since": "yesterday"},
        {"job_type": "PLATINUM"},
    ):
        response = api.call("GET", f"{USER}/jobs", query=sorted(params.items()))
        assert response.status_code == 400, params
        assert response.json()["error_code"] == "MSS.00000003"


def test_seeding_and_listing_ten_thousand_jobs_costs_linear_work(
    emu: Emulator, api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Cost is counted, never timed: what would grow faster than the number of jobs (a file
    write or a serialisation per seeded job, a filter pass per page, a rendering per match)
    shows up in these counts on any machine, however loaded."""
    writes: Counter[str] = Counter()
    work: Counter[str] = Counter()
    write_json, to_record = atomic.write_json, Job.to_record
    matches, job_info = listing.matches, emu.core.job_info

    def counted_write(path: Path, data: Any) -> None:
        writes["shard" if path.name.startswith("shard-") else path.name] += 1
        write_json(path, data)

    def counted(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any) -> Any:
            work[name] += 1
            return function(*args)

        return call

    monkeypatch.setattr(atomic, "write_json", counted_write)
    monkeypatch.setattr(Job, "to_record", counted("to_record", to_record))
    monkeypatch.setattr(listing, "matches", counted("matches", matches))
    monkeypatch.setattr(emu.core, "job_info", counted("job_info", job_info))
    records = [
        {"voice_name": f"v{i}", "state": "SUCCEED" if i % 4 == 0 else "CREATING"}
        for i in range(10_000)
    ]
    ids = emu.seed_jobs(records)
    assert len(ids) == 10_000
    # One write per shard and one of the assets, each job serialised once.
    assert writes["shard"] <= SHARDS and writes["assets.json"] == 1, writes
    assert work["to_record"] == 10_000

    work.clear()
    result = _list(api, limit="100", state="SUCCEED")
    assert result["count"] == 2_500 and len(result["jobs"]) == 100
    assert all("asset_id" in job for job in result["jobs"])
    # One look at each job to filter, and only the page's jobs rendered.
    assert work == {"matches": 10_000, "job_info": 100}, work
    work.clear()
    second = _list(api, limit="100", offset="100", state="SUCCEED")
    assert len(second["jobs"]) == 100
    assert work == {"job_info": 100}, work  # the next page is served from the sorted result


def test_seed_over_http(emu: Emulator, api: Api) -> None:
    import requests

    response = requests.post(
        f"{emu.base_url}/_emulator/jobs",
        json=[{"voice_name": "a"}, {"voice_name": "b"}],
        timeout=10,
    )
    assert response.status_code == 200
    assert len(response.json()["job_ids"]) == 2
    assert _list(api)["count"] == 2
    bad = requests.post(f"{emu.base_url}/_emulator/jobs", json=[{"state": "NOPE"}], timeout=10)
    assert bad.status_code == 400
