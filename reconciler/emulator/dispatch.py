"""The /v1 request flow: count, inject faults, authenticate, route, answer."""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote

from reconciler.emulator import faulting, params, routes
from reconciler.emulator.auth import authenticate
from reconciler.emulator.core import Core
from reconciler.emulator.errors import INTERNAL_ERROR, ApiError
from reconciler.emulator.faults import Decision
from reconciler.emulator.wire import Exchange, Request, Response, api_error_response

MAX_API_BODY = 8 << 20
_V1 = re.compile(r"^/v1/(?P<project>[^/]+)/(?P<rest>.*)$")
log = logging.getLogger(__name__)


def render_json_error(
    status: int, code: str, message: str, request_id: str, headers: dict[str, str]
) -> Response:
    return api_error_response(ApiError(status, code, message, headers), request_id)


def handle_api(core: Core, exchange: Exchange) -> None:
    match = _V1.match(exchange.raw_path)
    resolved = routes.resolve(exchange.method, match["rest"]) if match else routes.NOT_FOUND
    with core.stats.handling(resolved.operation):
        _handle(core, exchange, match, resolved)


def _handle(
    core: Core, exchange: Exchange, match: re.Match[str] | None, resolved: routes.Resolved
) -> None:
    try:
        body = exchange.read_body(MAX_API_BODY)
    except ApiError as error:
        exchange.send(api_error_response(error, exchange.request_id))
        return
    decision = core.faults.decide(resolved.operation) if resolved.handler else Decision()
    if faulting.before(core, exchange, decision, render_json_error):
        return
    project_id = unquote(match["project"]) if match else ""
    request = Request.received(exchange, body, project_id, **resolved.params)
    response = _respond(core, request, resolved)
    if decision.fault == "drop_response" and response.status == 200:
        # The work is done and persisted; the client just never hears about it.
        exchange.reset()
        return
    exchange.send(response)


def _respond(core: Core, request: Request, resolved: routes.Resolved) -> Response:
    try:
        if request.project_id:  # without a project in the path there is nothing to check
            credential = authenticate(
                core.config,
                request,
                core.wall_time(),
                issued=core.agency.get,
                emulated_now=core.now(),
            )
            if credential is not None and credential.expires_at is not None:
                core.agency.used(credential.ak, core.now())
        if resolved.error is not None:
            raise resolved.error
        assert resolved.handler is not None
        if resolved.operation in routes.APP_USER_OPERATIONS:
            params.app_user_id(request)
        return resolved.handler(core, request)
    except ApiError as error:
        return api_error_response(error, request.request_id)
    except Exception:
        log.exception("emulator bug while handling %s %s", request.method, request.path)
        bug = ApiError(500, INTERNAL_ERROR, "Internal server error")
        return api_error_response(bug, request.request_id)
