"""Training resources per edition: what a submit consumes, and when one comes back.

The MetaStudio FAQ says resources are bought per edition, consumed when a job is submitted,
held until it completes, reusable after a rejection, and never refunded. The emulator reads
that as follows (the exact bookkeeping is not published: this is its documented choice):

- a submit from CREATING consumes one resource of the job's edition; with none left it fails
  with 400 and nothing changes;
- the job holds that resource from then on, through review and training; once the job has
  SUCCEEDed or FAILED it stays consumed for good (deleting the job gives nothing back);
- a rejected job (AUDIT_FAILED) keeps its resource: resubmitting it consumes nothing more;
- deleting a rejected job frees its resource for another job: the one way back to available.

Consumption is counted per project in ``resources.json`` of the data directory, so it
survives restarts and the deletion of the jobs that consumed.
"""

from __future__ import annotations

from typing import Any

from reconciler.emulator.core import Core
from reconciler.emulator.errors import invalid_parameter
from reconciler.emulator.model import Job
from reconciler.emulator.tenant import QUOTA_EDITIONS

# resource_available_nums key -> the resource_type the quotas operation lists it under.
RESOURCE_TYPES = {
    "basic": "BASIC",
    "middle": "MIDDLE",
    "middle_on_demand": "MIDDLE",
    "advance": "ADVANCE",
    "third_party_cmww": "THIRD_PARTY",
    "flexus": "FLEXUS",
}
_EDITION_OF_TYPE = {
    "BASIC": "basic",
    "MIDDLE": "middle",
    "ADVANCE": "advance",
    "THIRD_PARTY": "third_party_cmww",
    "FLEXUS": "flexus",
}


def edition_of(job: Job) -> str | None:
    """The quota a job draws on; None for job types the quotas operation does not meter."""
    if job.job_type == "MIDDLE" and job.attrs.get("is_ondemand_resource"):
        return "middle_on_demand"
    return _EDITION_OF_TYPE.get(job.job_type)


def available(core: Core, project_id: str) -> dict[str, int]:
    """Callers hold the core lock."""
    used = core.store.consumed.get(project_id, {})
    bought = core.config.tenant.quotas
    return {edition: max(bought[edition] - used.get(edition, 0), 0) for edition in QUOTA_EDITIONS}


def consume(core: Core, job: Job) -> None:
    """Before a submit of an uploadable job: take a resource unless the job holds one."""
    edition = edition_of(job)
    if job.holds_resource or edition is None:
        return
    if available(core, job.project_id)[edition] <= 0:
        bought = core.config.tenant.quotas[edition]
        raise invalid_parameter(
            "job_id",
            f"no {edition} voice-training resource left ({bought} bought, all consumed); "
            "buy more before submitting",
        )
    _count(core, job.project_id, edition, +1)
    job.holds_resource = True


def release_if_rejected(core: Core, job: Job) -> None:
    """Before a job is deleted: a rejected job's resource goes back to the pool."""
    edition = edition_of(job)
    if job.holds_resource and job.state == "AUDIT_FAILED" and edition is not None:
        _count(core, job.project_id, edition, -1)
        job.holds_resource = False


def _count(core: Core, project_id: str, edition: str, delta: int) -> None:
    used = core.store.consumed.setdefault(project_id, {})
    used[edition] = max(used.get(edition, 0) + delta, 0)
    core.store.save_consumed()


def quotas_body(core: Core, project_id: str, offset: int, limit: int) -> dict[str, Any]:
    """The body of the quotas operation: one purchased resource per edition bought."""
    left = available(core, project_id)
    resources = [
        {
            "operation_type": "ADD",
            "resource_source": "PURCHASED",
            "asset_id": "",
            "resource_id": f"{project_id}-{edition}",
            "resource_nums": bought,
            "resource_available_nums": left[edition],
            "resource_type": RESOURCE_TYPES[edition],
            "status": 0,
        }
        for edition, bought in core.config.tenant.quotas.items()
        if bought > 0
    ]
    return {
        "count": len(resources),
        "resource_available_nums": left,
        "resources": resources[offset : offset + limit],
    }
