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


@dataclass
class EmulatorConfig:
    """``seconds_per_state``: 0 = a submitted job finishes on the next read, negative = jobs only
    move through the admin endpoints, positive = each state lasts that long.
    ``tts_delay_seconds`` follows the same rule for TTS audition files. ``tenant`` holds what
    the tenant is allowed (op 17's durations), shared by every project of the instance."""

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

    def credential(self, access_key: str) -> Credential | None:
        return next((c for c in self.credentials if c.ak == access_key), None)

    @property
    def default_project(self) -> str | None:
        if self.credentials:
            return self.credentials[0].project_id
        return next(iter(self.tokens.values()), None)
