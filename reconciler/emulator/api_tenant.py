"""Tenant configuration: seconds of audio each edition takes (op 17, tenant-duration-cfg)
and the training resources left per edition (op 15, quotas)."""

from __future__ import annotations

from reconciler.emulator import listing, params, resources
from reconciler.emulator.core import Core
from reconciler.emulator.wire import Request, Response, json_response


def show_tenant_duration_cfg(core: Core, request: Request) -> Response:
    # The service answers with the account's tenant id; the emulator has one tenant per
    # project, so the project id stands in for it.
    return json_response(core.config.tenant.duration_cfg(request.project_id))


def show_voice_training_quotas(core: Core, request: Request) -> Response:
    offset = params.int_param(request, "offset", 0, 0, listing.MAX_OFFSET)
    limit = params.int_param(request, "limit", 10, 1, 100)
    with core.lock:
        return json_response(resources.quotas_body(core, request.project_id, offset, limit))
