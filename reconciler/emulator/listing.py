"""List-jobs query (op 5): filters, a stable sort, offset/limit paging."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from reconciler.emulator import params
from reconciler.emulator.model import JOB_STATES, JOB_TYPES, Job
from reconciler.emulator.wire import Request

MAX_OFFSET = 2147483647


@dataclass(frozen=True)
class ListQuery:
    offset: int
    limit: int
    states: frozenset[str]
    job_types: frozenset[str]
    exact: tuple[tuple[str, str], ...]  # (attribute, value) pairs that must match exactly
    job_id: str | None
    create_range: tuple[float | None, float | None]
    update_range: tuple[float | None, float | None]
    ondemand: bool | None
    sort_key: str
    descending: bool


def parse(request: Request) -> ListQuery:
    exact = tuple(
        (name, value)
        for name in ("voice_name", "tag", "batch_name")
        if (value := request.query_one(name)) not in (None, "")
    )
    return ListQuery(
        offset=params.int_param(request, "offset", 0, 0, MAX_OFFSET),
        limit=params.int_param(request, "limit", 10, 1, 100),
        states=frozenset(params.list_param(request, "state", JOB_STATES)),
        job_types=frozenset(params.list_param(request, "job_type", JOB_TYPES)),
        exact=exact,
        job_id=request.query_one("job_id") or None,
        create_range=(
            params.time_param(request, "create_since"),
            params.time_param(request, "create_until"),
        ),
        update_range=(
            params.time_param(request, "update_since"),
            params.time_param(request, "update_until"),
        ),
        ondemand=params.bool_param(request, "is_ondemand_resource"),
        sort_key=params.enum_param(
            request, "sort_key", ("create_time", "update_time"), "create_time"
        ),
        descending=params.enum_param(request, "sort_dir", ("asc", "desc"), "desc") == "desc",
    )


def _in_range(value: float, bounds: tuple[float | None, float | None]) -> bool:
    # Compared at whole seconds: that is the resolution clients see in create_time.
    since, until = bounds
    seconds = int(value)
    return (since is None or seconds >= since) and (until is None or seconds <= until)


def matches(job: Job, query: ListQuery) -> bool:
    return (
        (not query.states or job.state in query.states)
        and (not query.job_types or job.job_type in query.job_types)
        and (query.job_id is None or job.job_id == query.job_id)
        and all(job.attrs.get(name) == value for name, value in query.exact)
        and _in_range(job.create_ts, query.create_range)
        and _in_range(job.update_ts, query.update_range)
        and (
            query.ondemand is None
            or bool(job.attrs.get("is_ondemand_resource", False)) == query.ondemand
        )
    )


def select(jobs: Iterable[Job], query: ListQuery) -> tuple[int, list[Job]]:
    """(total matching, the requested page). Ties on the sort key are broken by job_id."""
    hits = _sorted_hits(jobs, query)
    return len(hits), hits[query.offset : query.offset + query.limit]


def _sorted_hits(jobs: Iterable[Job], query: ListQuery) -> list[Job]:
    hits = [job for job in jobs if matches(job, query)]
    if query.sort_key == "create_time":
        hits.sort(key=lambda job: (job.create_ts, job.job_id), reverse=query.descending)
    else:
        hits.sort(key=lambda job: (job.update_ts, job.job_id), reverse=query.descending)
    return hits


class ListingCache:
    """Paging through N jobs asks the same query N/100 times: filter and sort it once.

    Valid while the store's generation (bumped by every job write) is unchanged; callers
    hold the core lock, so no write can slip in between.
    """

    KEEP = 16

    def __init__(self) -> None:
        self._generation = -1
        self._entries: dict[tuple[str, ListQuery], list[Job]] = {}

    def select(
        self, project_id: str, jobs: Iterable[Job], query: ListQuery, generation: int
    ) -> tuple[int, list[Job]]:
        if generation != self._generation:
            self._entries.clear()
            self._generation = generation
        key = (project_id, dataclasses.replace(query, offset=0, limit=1))
        hits = self._entries.get(key)
        if hits is None:
            if len(self._entries) >= self.KEEP:
                self._entries.clear()
            hits = self._entries[key] = _sorted_hits(jobs, query)
        return len(hits), hits[query.offset : query.offset + query.limit]
