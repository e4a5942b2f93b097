"""Tenant configuration (op 17, tenant-duration-cfg): seconds of audio each edition takes."""

from __future__ import annotations

from reconciler.emulator.core import Core
from reconciler.emulator.wire import Request, Response, json_response


def show_tenant_duration_cfg(core: Core, request: Request) -> Response:
    # The service answers with the account's tenant id; the emulator has one tenant per
    # project, so the project id stands in for it.
    return json_response(core.config.tenant.duration_cfg(request.project_id))
