"""The listing cache serves pages of one sorted result, and never a stale one."""

from __future__ import annotations

from typing import Any

from reconciler.emulator import Emulator
from tests.emulator.helpers import USER, Api


def page(api: Api, **query: Any) -> Any:
    pairs = [(key, str(value)) for key, value in query.items()]
    return api.ok("GET", f"{USER}/jobs", query=pairs)


def test_pages_stay_consistent_across_writes(emu: Emulator, api: Api) -> None:
    emu.seed_jobs(
        [
            {
                "job_id": f"j{i:03d}",
                "job_type": "BASIC",
                "voice_name": f"v{i}",
                "state": "CREATING",
                "create_time": 1000 + i,
            }
            for i in range(150)
        ]
    )
    first = page(api, limit=100, sort_dir="asc")
    assert first["count"] == 150 and first["jobs"][0]["job_id"] == "j000"
    api.ok("DELETE", f"{USER}/jobs/j000")  # a write between two pages
    second = page(api, limit=100, offset=100, sort_dir="asc")
    assert second["count"] == 149
    assert [j["job_id"] for j in second["jobs"]] == [f"j{i:03d}" for i in range(101, 150)]
    newest_first = page(api, limit=100)
    assert newest_first["jobs"][0]["job_id"] == "j149"
    assert "j000" not in {j["job_id"] for j in newest_first["jobs"]}
