"""The training resources a plan consumes, per edition, against what the tenant has left.

MetaStudio sells training resources per edition; submitting a job consumes one, the job
holds it while it is reviewed and trained, a rejected job (AUDIT_FAILED) is resubmitted on
the one it holds, and none is ever refunded. So a change consumes one resource when apply
will submit a job that holds none yet:

- create, and replace: a new job is submitted. A replaced job that was rejected frees its
  resource when deleted, so replacing it within the same edition needs nothing more;
- resume and update in place: only while the job is still CREATING (never submitted); a
  rejected job resubmitted with new data consumes nothing.

Pure functions over plan data: availability comes from refresh (the quotas operation) and
is None where it is not known, which is never taken for "none left".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from reconciler.plan.model import Action, ResourceChange

# Configuration edition -> the quotas operation's resource_available_nums key.
QUOTA_OF_EDITION = {
    "basic": "basic",
    "advanced": "middle",
    "premium": "advance",
    "third-party": "third_party_cmww",
}
_ORDER = tuple(QUOTA_OF_EDITION)
_UNSUBMITTED = (None, "CREATING")
_REJECTED = "AUDIT_FAILED"


@dataclass(frozen=True)
class ResourceNeed:
    """``needed`` resources of one edition for the voices at ``addresses``."""

    edition: str  # as the configuration names it: basic, advanced, premium, third-party
    needed: int
    available: int | None  # None: not known (no refresh, or MetaStudio did not say)
    addresses: tuple[str, ...] = ()

    @property
    def quota(self) -> str:
        """The name the quotas operation uses (advanced is "middle", premium "advance")."""
        return QUOTA_OF_EDITION.get(self.edition, self.edition)

    @property
    def short(self) -> int:
        """How many are missing; 0 when enough are left or it is not known."""
        return 0 if self.available is None else max(self.needed - self.available, 0)

    def to_dict(self) -> dict[str, Any]:
        """The saved plan's shape (plancodec reads it back); JSON output adds ``short``."""
        return {
            "edition": self.edition,
            "quota": self.quota,
            "needed": self.needed,
            "available": self.available,
            "addresses": list(self.addresses),
        }

    def describe(self) -> str:
        """``needs 3 basic, 2 available``."""
        have = "availability unknown" if self.available is None else f"{self.available} available"
        return f"needs {self.needed} {self.edition}, {have}"


def consuming_edition(change: ResourceChange) -> str | None:
    """The edition of the resource ``change`` consumes, or None if it consumes none."""
    edition = (change.after or {}).get("edition")
    if not isinstance(edition, str):
        return None
    state = change.remote.state
    if change.action is Action.CREATE:
        return edition
    if change.action is Action.REPLACE:
        old = (change.before or {}).get("edition")
        return None if state == _REJECTED and old == edition else edition
    if change.action in (Action.RESUME, Action.UPDATE):
        return edition if state in _UNSUBMITTED else None
    return None


def resource_needs(
    changes: Iterable[ResourceChange], available: Mapping[str, int | None] | None
) -> tuple[ResourceNeed, ...]:
    """One need per edition the changes consume, in edition order; () when none consume.

    ``available`` is keyed by the quota names (see ``QUOTA_OF_EDITION``); None when the plan
    was made without refresh.
    """
    consumers: dict[str, list[str]] = {}
    for change in changes:
        edition = consuming_edition(change)
        if edition is not None:
            consumers.setdefault(edition, []).append(change.address)
    rank = {edition: i for i, edition in enumerate(_ORDER)}
    return tuple(
        ResourceNeed(
            edition=edition,
            needed=len(addresses),
            available=(available or {}).get(QUOTA_OF_EDITION.get(edition, edition)),
            addresses=tuple(addresses),
        )
        for edition, addresses in sorted(
            consumers.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0])
        )
    )


def shortages(needs: Iterable[ResourceNeed]) -> list[ResourceNeed]:
    return [need for need in needs if need.short]
