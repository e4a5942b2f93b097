"""The planner's three inputs besides the state: what the config wants, what refresh saw."""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from reconciler import attributes
from reconciler.addresses import address_of
from reconciler.state.record import VoiceRecord
from reconciler.timestamps import parse_rfc3339

# Our clock and MetaStudio's may disagree; look a little before a create attempt started.
CLOCK_SKEW = timedelta(minutes=10)


def attempt_since(attempt: Mapping[str, Any]) -> datetime:
    """The earliest creation time of a job that the recorded create ``attempt`` may have made."""
    return parse_rfc3339(str(attempt["started_at"]), "create_attempt.started_at") - CLOCK_SKEW


@dataclass(frozen=True)
class DesiredVoice:
    """One voice as the configuration asks for it, already reduced to comparable values.

    ``spec`` holds every attribute that is compared with the state (API fields, edition,
    create_type, digests, lifecycle); a phone number in it is already a fingerprint.
    """

    name: str
    spec: Mapping[str, Any]

    @property
    def address(self) -> str:
        return address_of(self.name)

    @property
    def voice_name(self) -> str:
        return str(self.spec.get("voice_name", ""))

    @property
    def prevent_destroy(self) -> bool:
        return bool(self.spec.get("prevent_destroy"))

    @property
    def keep_asset(self) -> bool:
        return bool(self.spec.get("keep_asset"))


@dataclass(frozen=True)
class ObservedJob:
    job_id: str
    voice_name: str | None
    state: str | None
    job_type: str | None = None
    asset_id: str | None = None
    create_time: int | None = None  # epoch seconds, as the API reports it
    failed_reason: str | None = None
    audit_errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Observed:
    """The remote jobs refresh looked at.

    ``jobs`` holds every job refresh saw. ``absent`` lists recorded job ids that refresh
    asked for and that do not exist; ``names_checked`` the voice_names whose jobs were all
    listed (so "no such job" is known rather than assumed). ``training_resources`` holds
    the resources left per edition, keyed by the quotas operation's names, when read.
    """

    jobs: Mapping[str, ObservedJob] = field(default_factory=dict)
    absent: frozenset[str] = frozenset()
    names_checked: frozenset[str] = frozenset()
    complete: bool = False  # every job of the project was listed
    training_resources: Mapping[str, int | None] | None = None
    # The planner asks by voice_name once per voice: scanning ``jobs`` each time made a plan
    # quadratic in the catalogue (78 s of planning at 30,000 voices).
    _by_name: Mapping[str | None, tuple[ObservedJob, ...]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        by_name: dict[str | None, list[ObservedJob]] = {}
        for job in self.jobs.values():
            by_name.setdefault(job.voice_name, []).append(job)
        index = {
            name: tuple(sorted(named, key=lambda job: (job.create_time or 0, job.job_id)))
            for name, named in by_name.items()
        }
        object.__setattr__(self, "_by_name", index)

    @classmethod
    def from_jobs(
        cls,
        jobs: Iterable[ObservedJob],
        *,
        asked: Iterable[str] = (),
        names_checked: Iterable[str] = (),
        complete: bool = False,
    ) -> Observed:
        by_id = {job.job_id: job for job in jobs}
        return cls(
            jobs=by_id,
            absent=frozenset(job_id for job_id in asked if job_id not in by_id),
            names_checked=frozenset(names_checked),
            complete=complete,
        )

    def knows_absent(self, job_id: str) -> bool:
        return job_id in self.absent or (self.complete and job_id not in self.jobs)

    def named(self, voice_name: str) -> list[ObservedJob]:
        """Jobs named ``voice_name``, oldest first."""
        return list(self._by_name.get(voice_name, ()))

    def unrecorded(self, voice_name: str, known_ids: Collection[str]) -> list[ObservedJob]:
        """Jobs named ``voice_name`` that no voice records (``known_ids``), oldest first."""
        return [job for job in self.named(voice_name) if job.job_id not in known_ids]

    def made_by_attempt(
        self, attempt: Mapping[str, Any], known_ids: Collection[str]
    ) -> list[ObservedJob]:
        """Unrecorded jobs the create ``attempt`` may have made: its name, created since."""
        since = attempt_since(attempt).timestamp()
        return [
            job
            for job in self.unrecorded(str(attempt["voice_name"]), known_ids)
            if job.create_time is None or job.create_time >= since
        ]

    def checked_name(self, voice_name: str) -> bool:
        return self.complete or voice_name in self.names_checked


# What an own field of the record holds when the desired spec leaves its attribute out.
_UNSET = {f.name: f.default for f in dataclasses.fields(VoiceRecord)}


def record_spec(spec: Mapping[str, Any]) -> dict[str, Any]:
    """What the state's ``spec`` field holds: the desired spec less the attributes the record
    keeps in fields of their own (Stored.FIELD)."""
    own = {a.name for a in attributes.TABLE.own_fields}
    return {k: v for k, v in spec.items() if k not in own and k != "job_id"}


def record_fields(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The record's own fields (Stored.FIELD) for the desired spec ``spec``."""
    return {a.name: spec.get(a.name, _UNSET[a.name]) for a in attributes.TABLE.own_fields}
