"""The MetaStudio voice-training API, one method per operation."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from reconciler.metastudio import api
from reconciler.metastudio.credentials import Credentials
from reconciler.metastudio.durations import TenantDurations
from reconciler.metastudio.errors import MetaStudioError
from reconciler.metastudio.models import (
    Asset,
    AssetPage,
    AttachmentAddress,
    AuditionFile,
    AuditResult,
    CreatedJob,
    JobPage,
    OperationLogPage,
    SegmentConfirmation,
    TrainingJob,
    TrainingQuotas,
    UploadUrls,
)
from reconciler.metastudio.objects import BodyOpener, ObjectStore, Progress
from reconciler.metastudio.policy import RateLimits, RetryPolicy
from reconciler.metastudio.redact import SignedUrl, optional_url
from reconciler.metastudio.short_jobs import VOICE_ASSESS, CreatedShortJob, ShortJob
from reconciler.metastudio.transport import QueryValue, Transport, new_request_id
from reconciler.timestamps import rfc3339

PAGE_LIMIT = 100  # the API's maximum page size
Page = TypeVar("Page")
CONTENT_TYPES = {"package": "application/zip", "audio": "audio/wav", "text": "text/plain"}


def job_filters(**filters: Any) -> list[tuple[str, QueryValue]]:
    """List-jobs query parameters: lists become comma-separated, datetimes RFC 3339."""
    pairs: list[tuple[str, QueryValue]] = []
    for key, value in filters.items():
        if value is None:
            continue
        if isinstance(value, datetime):
            value = rfc3339(value)
        elif isinstance(value, list | tuple | set | frozenset):
            value = ",".join(sorted(str(v) for v in value))
        pairs.append((key, value))
    return pairs


class MetaStudioClient:
    def __init__(self, transport: Transport, *, page_workers: int = 4) -> None:
        self.transport = transport
        self.objects = ObjectStore(transport, retry=transport.retry)
        self.page_workers = page_workers

    @classmethod
    def connect(
        cls,
        endpoint: str,
        credentials: Credentials,
        *,
        app_user_id: str | None = None,
        rate_limits: RateLimits | None = None,
        retry: RetryPolicy | None = None,
        timeout: tuple[float, float] = (10.0, 60.0),
    ) -> MetaStudioClient:
        from reconciler.metastudio.endpoint import check_transport

        transport = Transport(
            endpoint=check_transport(endpoint.rstrip("/"), "endpoint"),
            credentials=credentials,
            limits=rate_limits or RateLimits(),
            retry=retry or RetryPolicy(),
            timeout=timeout,
            app_user_id=app_user_id,
        )
        return cls(transport)

    def close(self) -> None:
        self.transport.session.close()

    def __enter__(self) -> MetaStudioClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- jobs ---------------------------------------------------------------------------

    def create_job(self, job_type: str, body: Mapping[str, Any]) -> CreatedJob:
        """Create a training job. Never retried once sent: see OutcomeUnknownError."""
        try:
            op = api.CREATE[job_type]
        except KeyError:
            raise ValueError(f"no create operation for job type {job_type!r}") from None
        return CreatedJob.from_raw(self.transport.call(op, body=body))

    def list_jobs(self, *, offset: int = 0, limit: int = PAGE_LIMIT, **filters: Any) -> JobPage:
        query: list[tuple[str, QueryValue]] = [
            ("offset", offset),
            ("limit", limit),
            *job_filters(**filters),
        ]
        return JobPage.from_raw(self.transport.call(api.LIST_JOBS, query=query))

    def first_job_page(self, **filters: Any) -> JobPage:
        """The first page ``iter_jobs`` would fetch: its ``count`` tells what listing all
        matching jobs costs, and ``iter_jobs(first=...)`` goes on from it."""
        return self.list_jobs(offset=0, limit=PAGE_LIMIT, **_listing_order(filters))

    def iter_jobs(self, *, first: JobPage | None = None, **filters: Any) -> Iterator[TrainingJob]:
        """Every matching job: the first page tells the count, the rest are fetched at once.

        Sorted oldest first by default, so a job created meanwhile lands at the end rather
        than shifting every later page; duplicates from such shifts are dropped. ``first``
        is that first page when already fetched (by ``first_job_page`` with these filters).
        """
        filters = _listing_order(filters)
        if first is None:
            first = self.list_jobs(offset=0, limit=PAGE_LIMIT, **filters)
        pages = self._pages(first.count, lambda offset: self.list_jobs(offset=offset, **filters))
        jobs = itertools.chain.from_iterable(p.jobs for p in itertools.chain((first,), pages))
        yield from _unique(jobs, lambda job: job.job_id)

    def _pages(self, count: int, fetch: Callable[[int], Page]) -> Iterator[Page]:
        """The pages after the first of a listing of ``count`` items, fetched at once."""
        offsets = [n * PAGE_LIMIT for n in range(1, math.ceil(count / PAGE_LIMIT))]
        if not offsets:
            return
        with ThreadPoolExecutor(max_workers=self.page_workers) as pool:
            yield from pool.map(fetch, offsets)

    def show_job(self, job_id: str) -> TrainingJob:
        return TrainingJob.from_raw(self.transport.call(api.SHOW_JOB, path_params=_job(job_id)))

    def find_job(self, job_id: str) -> TrainingJob | None:
        """The job, or None when MetaStudio shows that it does not exist."""
        try:
            return self.show_job(job_id)
        except MetaStudioError as error:
            if self.job_is_gone(job_id, error):
                return None
            raise

    def job_is_gone(self, job_id: str, error: MetaStudioError) -> bool:
        """Whether ``error``, from a call about ``job_id``, means that the job does not exist.

        The API answers 400 for an unknown job but also for other faults: only a filtered
        listing that comes back empty proves the job is gone.
        """
        return error.status == 400 and not self.list_jobs(job_id=job_id, limit=1).count

    def submit_job(self, job_id: str, body: Mapping[str, Any] | None = None) -> None:
        """Start review; the optional body amends metadata. Never retried once sent."""
        self.transport.call(api.COMMIT_JOB, path_params=_job(job_id), body=body)

    def delete_job(self, job_id: str) -> None:
        self.transport.call(api.DELETE_JOB, path_params=_job(job_id))

    def list_op_logs(self, job_id: str, *, offset: int = 0, limit: int = 100) -> OperationLogPage:
        raw = self.transport.call(
            api.LIST_OP_LOGS,
            path_params=_job(job_id),
            query=[("offset", offset), ("limit", limit)],
        )
        return OperationLogPage.from_raw(raw)

    def get_upload_urls(self, job_id: str) -> UploadUrls:
        """Fresh upload URLs for an existing job (never reuse ones from an earlier run)."""
        raw = self.transport.call(api.SHOW_UPLOADING_ADDRESS, path_params=_job(job_id))
        return UploadUrls.from_address(raw)

    def get_audit_result(self, job_id: str) -> AuditResult:
        raw = self.transport.call(api.SHOW_AUDIT_RESULT, path_params=_job(job_id))
        return AuditResult.from_raw(raw)

    def confirm_segment(self, job_id: str, index: int) -> SegmentConfirmation:
        query: list[tuple[str, QueryValue]] = [("job_id", job_id), ("index", index)]
        raw = self.transport.call(api.CONFIRM_SEGMENT, query=query)
        return SegmentConfirmation.from_raw(raw)

    def get_confirmed_segments(self, job_id: str) -> list[int]:
        raw = self.transport.call(api.SHOW_SEGMENT_INFO, query=[("job_id", job_id)])
        indexes = raw.get("confirmed_index") if isinstance(raw, Mapping) else None
        return sorted(i for i in indexes or [] if isinstance(i, int))

    def get_review_attachment_urls(
        self, job_id: str, start_number: int, end_number: int
    ) -> list[AttachmentAddress]:
        raw = self.transport.call(
            api.SHOW_REVIEW_ATTACHMENT_ADDRESS,
            path_params=_job(job_id),
            query=[("start_number", start_number), ("end_number", end_number)],
        )
        addresses = raw.get("addresses") if isinstance(raw, Mapping) else None
        return [
            AttachmentAddress(
                number=a.get("number") if isinstance(a.get("number"), int) else None,
                uploading_url=optional_url(a.get("uploading_url")),
            )
            for a in addresses or []
            if isinstance(a, Mapping)
        ]

    def show_tenant_duration_cfg(self) -> TenantDurations:
        """How many seconds of audio each edition accepts for this tenant (op 17)."""
        return TenantDurations.from_raw(self.transport.call(api.SHOW_TENANT_DURATION_CFG))

    def show_voice_training_quotas(
        self, *, offset: int | None = None, limit: int | None = None
    ) -> TrainingQuotas:
        """Training resources left per edition (op 15); a submit consumes one."""
        paging = (("offset", offset), ("limit", limit))
        query: list[tuple[str, QueryValue]] = [(k, v) for k, v in paging if v is not None]
        raw = self.transport.call(api.SHOW_VOICE_TRAINING_QUOTAS, query=query)
        return TrainingQuotas.from_raw(raw)

    # -- short jobs (op 18) -----------------------------------------------------------------

    def create_short_job(self, language: str | None = None) -> CreatedShortJob:
        """A free VOICE_ASSESS job, waiting for its zip. Never retried once sent."""
        body = {"job_type": VOICE_ASSESS, **({"language": language} if language else {})}
        return CreatedShortJob.from_raw(self.transport.call(api.CREATE_SHORT_JOB, body=body))

    def commit_short_job(self, job_id: str) -> None:
        """Start the assessment of the uploaded zip (no body). Never retried once sent."""
        self.transport.call(api.COMMIT_SHORT_JOB, path_params=_job(job_id))

    def show_short_job(self, job_id: str) -> ShortJob:
        return ShortJob.from_raw(self.transport.call(api.SHOW_SHORT_JOB, path_params=_job(job_id)))

    # -- TTS audition ---------------------------------------------------------------------

    def create_tts_audition(self, body: Mapping[str, Any], *, request_id: str | None = None) -> str:
        """Start a preview synthesis with a voice asset (``emotion``); returns its job id."""
        headers = {"X-Request-Id": request_id or new_request_id()}
        raw = self.transport.call(api.CREATE_TTS_AUDITION, body=body, headers=headers)
        return str(raw.get("job_id", ""))

    def get_tts_audition_file(self, job_id: str) -> AuditionFile:
        raw = self.transport.call(api.SHOW_TTS_AUDITION_FILE, path_params=_job(job_id))
        return AuditionFile.from_raw(raw)

    # -- assets ---------------------------------------------------------------------------

    def list_assets(
        self, *, offset: int = 0, limit: int = 100, asset_type: str = "VOICE_MODEL", **filters: Any
    ) -> AssetPage:
        query: list[tuple[str, QueryValue]] = [
            ("offset", offset),
            ("limit", limit),
            ("asset_type", asset_type),
        ]
        raw = self.transport.call(api.LIST_ASSETS, query=query + job_filters(**filters))
        return AssetPage.from_raw(raw)

    def iter_assets(self, *, first: AssetPage | None = None, **filters: Any) -> Iterator[Asset]:
        """Every matching voice-model asset; ``first`` is the first page when already
        fetched (``list_assets(limit=PAGE_LIMIT)`` with these filters)."""
        if first is None:
            first = self.list_assets(limit=PAGE_LIMIT, **filters)
        pages = self._pages(first.count, lambda offset: self.list_assets(offset=offset, **filters))
        assets = itertools.chain.from_iterable(p.assets for p in itertools.chain((first,), pages))
        yield from _unique(assets, lambda asset: asset.asset_id)

    def show_asset(self, asset_id: str) -> Asset:
        raw = self.transport.call(api.SHOW_ASSET, path_params={"asset_id": asset_id})
        return Asset.from_raw(raw)

    def check_voice_asset(self, voice_asset_id: str) -> Asset:
        """The asset of a usable voice model (op 22); an unusable one raises with the reason."""
        raw = self.transport.call(
            api.CHECK_VOICE_ASSET, path_params={"voice_asset_id": voice_asset_id}
        )
        return Asset.from_raw(raw)

    def update_asset(
        self,
        asset_id: str,
        *,
        asset_name: str | None = None,
        asset_description: str | None = None,
        tags: list[str] | None = None,
    ) -> Asset:
        """Change a trained model's asset in place (UpdateDigitalAsset): only the fields
        given are sent, and only those change."""
        given = {"asset_name": asset_name, "asset_description": asset_description, "tags": tags}
        body = {key: value for key, value in given.items() if value is not None}
        raw = self.transport.call(api.UPDATE_ASSET, path_params={"asset_id": asset_id}, body=body)
        return Asset.from_raw(raw)

    def delete_asset(self, asset_id: str, *, force: bool = False) -> None:
        """Without ``force`` the asset goes to the recycle bin, as in the console."""
        query: list[tuple[str, QueryValue]] = [("mode", "force")] if force else []
        self.transport.call(api.DELETE_ASSET, path_params={"asset_id": asset_id}, query=query)

    def restore_asset(self, asset_id: str) -> None:
        """Bring a deleted asset back from the recycle bin (7 days) to the state it had."""
        self.transport.call(api.RESTORE_ASSET, path_params={"asset_id": asset_id})

    def asset_is_gone(self, asset_id: str, error: MetaStudioError) -> bool:
        """Whether ``error``, from a call about ``asset_id``, means the asset is no longer in
        the library: 400 also answers other faults, so only an empty filtered listing proves
        it (the listing leaves out assets in the recycle bin)."""
        return error.status == 400 and not self.list_assets(asset_id=[asset_id], limit=1).count

    # -- object store -----------------------------------------------------------------------

    def upload(
        self,
        url: SignedUrl,
        path: Path,
        kind: str,
        *,
        progress: Progress | None = None,
        refresh: Callable[[], SignedUrl] | None = None,
    ) -> str:
        """PUT a training file; ``kind`` is package, audio, text or letter."""
        content_type = CONTENT_TYPES.get(kind, "application/octet-stream")
        return self.objects.upload(
            url, path, content_type, progress=progress, refresh=refresh, what=f"upload {kind}"
        )

    def upload_stream(
        self,
        url: SignedUrl,
        open_body: BodyOpener,
        size: int,
        kind: str,
        *,
        progress: Progress | None = None,
        refresh: Callable[[], SignedUrl] | None = None,
    ) -> str:
        """PUT a training file read from a stream (``open_body`` is called per attempt)."""
        content_type = CONTENT_TYPES.get(kind, "application/octet-stream")
        return self.objects.upload_stream(
            url,
            open_body,
            size,
            content_type,
            progress=progress,
            refresh=refresh,
            what=f"upload {kind}",
        )

    def download(self, url: SignedUrl, dest: Path) -> int:
        return self.objects.download(url, dest)


def _listing_order(filters: dict[str, Any]) -> dict[str, Any]:
    return {"sort_key": "create_time", "sort_dir": "asc", **filters}


def _job(job_id: str) -> dict[str, str]:
    return {"job_id": job_id}


_Item = TypeVar("_Item")


def _unique(items: Iterable[_Item], key: Callable[[_Item], str]) -> Iterator[_Item]:
    """``items`` without repeats of a key: a listing's pages overlap when items shift."""
    seen: set[str] = set()
    for item in items:
        if key(item) not in seen:
            seen.add(key(item))
            yield item
