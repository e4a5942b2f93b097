"""What an emulator instance is configured with; plain data, no behaviour."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reconciler.emulator.faults import FaultPlan
from reconciler.emulator.tenant import Tenant


@dataclass(frozen=True)
class Credential:
    """An AK/SK pair bound to one project, as IAM would issue it."""

    ak: str
    sk: str = field(repr=False)
    project_id: str
    security_token: str | None = field(default=None, repr=False)
    expires_at: float | None = None  # temporary keys from the metadata service (emulated time)


@dataclass
class EmulatorConfig:
    """``seconds_per_state``: 0 = a submitted job finishes on the next read, negative = jobs only
    move through the admin endpoints, positive = each state lasts that long.
    ``tts_delay_seconds`` follows the same rule for TTS audition files. ``tenant`` holds what
    the tenant is allowed (op 17's durations), shared by every project of the instance.
    IAM and the metadata service are served beside the API (``api_iam``, ``api_metadata``)."""

    data_dir: Path
    credentials: list[Credential] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict, repr=False)
    seconds_per_state: float = 0.0
    url_ttl_seconds: float = 3600.0
    tts_delay_seconds: float = 0.0
    faults: FaultPlan = field(default_factory=lambda: FaultPlan())
    seed: int = 0
    tenant: Tenant = field(default_factory=Tenant)
    max_clock_skew_seconds: float = 900.0
    # IAM: the AK's project is named after this region; ``iam_projects`` adds (id, name) pairs
    # every account lists too (several projects of one name, for tests).
    region: str = "cn-north-4"
    iam_projects: list[tuple[str, str]] = field(default_factory=list)
    # The metadata service hands out temporary keys of the default project (its agency),
    # valid this long; agency=False answers as an ECS without an agency.
    agency: bool = True
    metadata_ttl_seconds: float = 6 * 3600.0
    agency_project: str | None = None  # the agency's project when no AK/SK or token names one
    # The system audit runs on this many background threads (see ``reviewer``). A read that
    # finds a job due to leave SYSTEM_AUDITING waits up to ``review_wait_seconds`` for its
    # verdict (without the lock; 0 answers SYSTEM_AUDITING at once, as the service does), so
    # quick reviews keep "0 s per state" jobs finished on the next read. An admin step or
    # clock move waits up to ``review_timeout_seconds``, then fails saying so.
    review_workers: int = 2
    review_wait_seconds: float = 5.0
    review_timeout_seconds: float = 120.0

    def credential(self, access_key: str) -> Credential | None:
        return next((c for c in self.credentials if c.ak == access_key), None)

    @property
    def default_project(self) -> str | None:
        if self.credentials:
            return self.credentials[0].project_id
        return next(iter(self.tokens.values()), self.agency_project)
