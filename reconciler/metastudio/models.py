"""Typed results that keep what they do not know.

Every result holds the response body it came from in ``raw``, so fields added by a newer
service survive, and enum-like fields are plain strings: an unknown state such as a new
``PAUSED`` arrives as ``"PAUSED"`` (the official SDK turns it into an empty object).
URLs that carry credentials are ``SignedUrl``s and personal data is left out of reprs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reconciler.jobstates import JobState
from reconciler.metastudio.redact import SignedUrl, optional_url

Raw = Mapping[str, Any]


def str_field(raw: Raw, key: str) -> str | None:
    value = raw.get(key)
    return value if isinstance(value, str) else None


def int_field(raw: Raw, key: str) -> int | None:
    value = raw.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _strings(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def dict_field(raw: Raw, key: str) -> Raw:
    value = raw.get(key)
    return value if isinstance(value, Mapping) else {}


@dataclass(frozen=True)
class UploadUrls:
    """Both response shapes (create, and uploading-address-url) normalised to one."""

    package: SignedUrl | None
    audio: tuple[SignedUrl, ...]
    text: tuple[SignedUrl, ...]
    authorization_letter: SignedUrl | None

    @classmethod
    def _build(cls, package: object, segments: Raw, letter: object) -> UploadUrls:
        return cls(
            package=optional_url(package),
            audio=tuple(SignedUrl(u) for u in _strings(segments.get("audio_uploading_url"))),
            text=tuple(SignedUrl(u) for u in _strings(segments.get("txt_uploading_url"))),
            authorization_letter=optional_url(letter),
        )

    @classmethod
    def from_create(cls, raw: Raw) -> UploadUrls:
        return cls._build(
            raw.get("training_data_uploading_url"),
            dict_field(raw, "segment_uploading_url"),
            raw.get("authorization_letter_uploading_url"),
        )

    @classmethod
    def from_address(cls, raw: Raw) -> UploadUrls:
        return cls._build(
            dict_field(raw, "package_url").get("training_data_uploading_url"),
            dict_field(raw, "segment_url"),
            raw.get("authorization_letter_uploading_url"),
        )


@dataclass(frozen=True)
class CreatedJob:
    job_id: str
    uploads: UploadUrls
    raw: Raw = field(repr=False)

    @classmethod
    def from_raw(cls, raw: Raw) -> CreatedJob:
        return cls(job_id=str(raw.get("job_id", "")), uploads=UploadUrls.from_create(raw), raw=raw)


@dataclass(frozen=True)
class TrainingJob:
    """TrainingJobInfo: the body of show, and each element of list."""

    job_id: str
    job_type: str | None
    voice_name: str | None
    state: str | None
    create_type: str | None
    sex: str | None
    language: str | None
    tag: str | None
    asset_id: str | None
    job_failed_code: str | None
    job_failed_reason: str | None
    reject_times: int | None
    create_time: int | None
    lastupdate_time: int | None
    app_user_id: str | None
    batch_name: str | None
    raw: Raw = field(repr=False)

    @classmethod
    def from_raw(cls, raw: Raw) -> TrainingJob:
        return cls(
            job_id=str(raw.get("job_id", "")),
            **{
                key: str_field(raw, key)
                for key in (
                    "job_type",
                    "voice_name",
                    "state",
                    "create_type",
                    "sex",
                    "language",
                    "tag",
                    "asset_id",
                    "job_failed_code",
                    "job_failed_reason",
                    "app_user_id",
                    "batch_name",
                )
            },
            reject_times=int_field(raw, "reject_times"),
            create_time=int_field(raw, "create_time"),
            lastupdate_time=int_field(raw, "lastupdate_time"),
            raw=raw,
        )

    @property
    def known_state(self) -> bool:
        return self.state in JobState.KNOWN

    @property
    def terminal(self) -> bool:
        return self.state in JobState.TERMINAL


@dataclass(frozen=True)
class JobPage:
    count: int
    jobs: tuple[TrainingJob, ...]

    @classmethod
    def from_raw(cls, raw: Raw) -> JobPage:
        jobs = raw.get("jobs")
        items = jobs if isinstance(jobs, list) else []
        return cls(
            count=int_field(raw, "count") or 0,
            jobs=tuple(TrainingJob.from_raw(j) for j in items if isinstance(j, Mapping)),
        )


@dataclass(frozen=True)
class OperationLog:
    time: int | None
    action: str | None
    operator: str | None
    external_info: Raw
    raw: Raw = field(repr=False)


@dataclass(frozen=True)
class OperationLogPage:
    count: int
    operations: tuple[OperationLog, ...]

    @classmethod
    def from_raw(cls, raw: Raw) -> OperationLogPage:
        items = raw.get("operations")
        ops = tuple(
            OperationLog(
                time=int_field(op, "time"),
                action=str_field(op, "action"),
                operator=str_field(op, "operator"),
                external_info=dict_field(op, "external_info"),
                raw=op,
            )
            for op in (items if isinstance(items, list) else [])
            if isinstance(op, Mapping)
        )
        return cls(count=int_field(raw, "count") or 0, operations=ops)


@dataclass(frozen=True)
class AuditError:
    audio_name: str | None
    text_name: str | None
    error_code: str | None
    error_message: str | None


@dataclass(frozen=True)
class AuditResult:
    system_audit_time: int | None
    system_errors: tuple[AuditError, ...]
    admin_message: str | None
    admin_audit_time: int | None
    raw: Raw = field(repr=False)

    @classmethod
    def from_raw(cls, raw: Raw) -> AuditResult:
        system = dict_field(raw, "system_audit_result")
        admin = dict_field(raw, "admin_audit_result")
        errors = system.get("errors")
        return cls(
            system_audit_time=int_field(system, "audit_time"),
            system_errors=tuple(
                AuditError(
                    *(
                        str_field(e, k)
                        for k in ("audio_name", "text_name", "error_code", "error_message")
                    )
                )
                for e in (errors if isinstance(errors, list) else [])
                if isinstance(e, Mapping)
            ),
            admin_message=str_field(admin, "message"),
            admin_audit_time=int_field(admin, "audit_time"),
            raw=raw,
        )


@dataclass(frozen=True)
class SegmentConfirmation:
    confirm_result: bool
    unmatched_index_hit: tuple[int, ...]
    raw: Raw = field(repr=False)

    @classmethod
    def from_raw(cls, raw: Raw) -> SegmentConfirmation:
        hits = raw.get("unmatched_index_hit")
        return cls(
            confirm_result=raw.get("confirm_result") is True,
            unmatched_index_hit=tuple(h for h in hits if isinstance(h, int))
            if isinstance(hits, list)
            else (),
            raw=raw,
        )


@dataclass(frozen=True)
class AttachmentAddress:
    number: int | None
    uploading_url: SignedUrl | None


@dataclass(frozen=True)
class AuditionFile:
    is_file_complete: bool
    message: str | None
    code: str | None
    download_urls: tuple[SignedUrl, ...]
    raw: Raw = field(repr=False)

    @classmethod
    def from_raw(cls, raw: Raw) -> AuditionFile:
        files = raw.get("files")
        urls = [
            f.get("download_url")
            for f in (files if isinstance(files, list) else [])
            if isinstance(f, Mapping)
        ]
        return cls(
            is_file_complete=raw.get("is_file_complete") is True,
            message=str_field(raw, "message"),
            code=str_field(raw, "code"),
            download_urls=tuple(SignedUrl(u) for u in urls if isinstance(u, str) and u),
            raw=raw,
        )


@dataclass(frozen=True)
class Asset:
    asset_id: str
    asset_name: str | None
    asset_type: str | None
    asset_state: str | None
    raw: Raw = field(repr=False)

    @classmethod
    def from_raw(cls, raw: Raw) -> Asset:
        return cls(
            asset_id=str(raw.get("asset_id", "")),
            asset_name=str_field(raw, "asset_name"),
            asset_type=str_field(raw, "asset_type"),
            asset_state=str_field(raw, "asset_state"),
            raw=raw,
        )


@dataclass(frozen=True)
class AssetPage:
    count: int
    assets: tuple[Asset, ...]

    @classmethod
    def from_raw(cls, raw: Raw) -> AssetPage:
        items = raw.get("assets")
        return cls(
            count=int_field(raw, "count") or 0,
            assets=tuple(
                Asset.from_raw(a)
                for a in (items if isinstance(items, list) else [])
                if isinstance(a, Mapping)
            ),
        )


# resource_available_nums of the quotas operation (op 15), in the SDK's order.
QUOTA_EDITIONS = ("flexus", "basic", "middle", "middle_on_demand", "advance", "third_party_cmww")


@dataclass(frozen=True)
class TrainingResource:
    """One purchased (or allocated) batch of training resources of one ``resource_type``."""

    resource_id: str | None
    resource_type: str | None
    resource_nums: int | None
    resource_available_nums: int | None
    operation_type: str | None
    resource_source: str | None
    expire_time: str | None
    status: int | None
    raw: Raw = field(repr=False)

    @classmethod
    def from_raw(cls, raw: Raw) -> TrainingResource:
        return cls(
            resource_id=str_field(raw, "resource_id"),
            resource_type=str_field(raw, "resource_type"),
            resource_nums=int_field(raw, "resource_nums"),
            resource_available_nums=int_field(raw, "resource_available_nums"),
            operation_type=str_field(raw, "operation_type"),
            resource_source=str_field(raw, "resource_source"),
            expire_time=str_field(raw, "expire_time"),
            status=int_field(raw, "status"),
            raw=raw,
        )


@dataclass(frozen=True)
class TrainingQuotas:
    """op 15 (quotas): training resources left per edition, keyed by the API's names (basic,
    middle = advanced, middle_on_demand, advance = premium, third_party_cmww, flexus); an
    edition the service left out is None, not 0: unknown is not "none left"."""

    count: int
    available: Mapping[str, int | None]
    resources: tuple[TrainingResource, ...]
    raw: Raw = field(repr=False)

    @classmethod
    def from_raw(cls, raw: Raw) -> TrainingQuotas:
        nums = dict_field(raw, "resource_available_nums")
        items = raw.get("resources")
        return cls(
            count=int_field(raw, "count") or 0,
            available={edition: int_field(nums, edition) for edition in QUOTA_EDITIONS},
            resources=tuple(
                TrainingResource.from_raw(r)
                for r in (items if isinstance(items, list) else [])
                if isinstance(r, Mapping)
            ),
            raw=raw,
        )
