"""The emulator's record of a training job, and the public enums it is checked against."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

JOB_STATES = (
    "CREATING",
    "SYSTEM_AUDITING",
    "AUDITING",
    "WAITING_SPLIT",
    "SPLITTING",
    "SPLIT_FAILED",
    "ANNOTATING",
    "WAITING",
    "PROCESSING",
    "RESULT_REVIEW",
    "AUDIT_FAILED",
    "USER_RESULT_REVIEW",
    "USER_REVIEW_REJECT",
    "UPLOADING",
    "FAILED",
    "SUCCEED",
)
JOB_TYPES = ("BASIC", "MIDDLE", "ADVANCE", "THIRD_PARTY", "THIRD_PARTY_LJZN", "FLEXUS")
TAGS = ("ECOMMERCE", "NEWS", "MARKETING", "LIVE", "EDUCATION", "CUSTOMER", "STORYTELLING")
SEXES = ("FEMALE", "MALE")
LANGUAGES = ("CN", "EN")
CREATE_TYPES = ("PACKAGE", "SEGMENT")
SUPPORTED_SERVICES = ("VIDEO_2D", "LIVE_2D", "CHAT_2D")
UPLOADABLE_STATES = frozenset({"CREATING", "AUDIT_FAILED"})
# Sentence counts of the editions that take sentence-by-sentence data; the others take one
# long recording.
SENTENCES = {"BASIC": 20, "MIDDLE": 100}

# Attributes echoed into TrainingJobInfo exactly as stored.
ECHOED_ATTRS = (
    "app_user_id",
    "voice_name",
    "sex",
    "language",
    "tag",
    "phone",
    "dhtms_job_id",
    "batch_name",
    "output_language",
)


@dataclass
class Job:
    job_id: str
    project_id: str
    job_type: str
    create_type: str
    attrs: dict[str, Any]
    state: str
    create_ts: float
    update_ts: float
    state_since: float
    reject_times: int = 0
    asset_id: str | None = None
    failed_code: str | None = None
    failed_reason: str | None = None
    oplogs: list[dict[str, Any]] = field(default_factory=list)
    confirmed: list[int] = field(default_factory=list)
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    system_audit: dict[str, Any] | None = None
    admin_audit: dict[str, Any] | None = None
    assess: dict[str, Any] | None = None
    holds_resource: bool = False  # a submit consumed a training resource for it
    # The submission whose data the system audit reviews: set afresh by every submit, so a
    # review of an earlier upload can be told apart and dropped (see ``reviewer``).
    review_ticket: str | None = None
    # The finished review of that submission ({"ticket", "errors", "assess"}), kept with the
    # job so that a restart does not review the same upload twice.
    review: dict[str, Any] | None = None

    @property
    def sentences(self) -> int:
        return SENTENCES.get(self.job_type, 0)

    def to_record(self) -> dict[str, Any]:
        # Shallow on purpose: json.dumps walks the nested values, and asdict's deep copy is
        # the slow part of persisting ten thousand jobs.
        return {name: getattr(self, name) for name in _FIELD_NAMES}

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Job:
        return cls(**{name: record[name] for name in _FIELD_NAMES if name in record})

    def info(self) -> dict[str, Any]:
        """TrainingJobInfo without the URL fields, which need a signer and a base URL."""
        info: dict[str, Any] = {"job_id": self.job_id, "job_type": self.job_type}
        for name in ECHOED_ATTRS:
            if self.attrs.get(name) is not None:
                info[name] = self.attrs[name]
        info["state"] = self.state
        info["reject_times"] = self.reject_times
        if self.asset_id and self.state == "SUCCEED":
            info["asset_id"] = self.asset_id
        if self.failed_code is not None:
            info["job_failed_code"] = self.failed_code
            info["job_failed_reason"] = self.failed_reason or ""
        info["create_time"] = int(self.create_ts)
        info["lastupdate_time"] = int(self.update_ts)
        info["create_type"] = self.create_type
        info["is_remake"] = False
        info["is_ondemand_resource"] = bool(self.attrs.get("is_ondemand_resource", False))
        if self.assess is not None:
            info["assess_result"] = self.assess
        return info


_FIELD_NAMES = tuple(f.name for f in fields(Job))
