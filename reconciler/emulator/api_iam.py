"""IAM's ``GET /v3/projects``: the one IAM call the SDK makes to find a region's project id.

Signed like every MetaStudio call (SDK-HMAC-SHA256, checked with the same code), but with no
project: an access key's account lists its project, named after the emulator's region, plus
any ``iam_projects`` the instance was given. Answers carry ``X-IAM-Trace-Id`` as IAM's do.
"""

from __future__ import annotations

import uuid

from reconciler.emulator.auth import verify_signature
from reconciler.emulator.config import Credential
from reconciler.emulator.core import Core
from reconciler.emulator.errors import API_NOT_FOUND, METHOD_NOT_ALLOWED, ApiError
from reconciler.emulator.wire import Exchange, Request, api_error_response, json_response

PREFIX = "/v3/"
PROJECTS = "/v3/projects"
MAX_BODY = 1 << 20
DOMAIN_PREFIX = "domain-"


def _projects(core: Core, credential: Credential, base: str) -> list[dict[str, object]]:
    config = core.config
    domain = DOMAIN_PREFIX + credential.project_id[:16]
    pairs = [(credential.project_id, config.region), *config.iam_projects]
    return [
        {
            "id": project_id,
            "name": name,
            "domain_id": domain,
            "parent_id": domain,
            "description": "",
            "enabled": True,
            "is_domain": False,
            "links": {"self": f"{base}{PROJECTS}/{project_id}"},
        }
        for project_id, name in pairs
    ]


def handle_iam(core: Core, exchange: Exchange) -> None:
    trace = {"X-IAM-Trace-Id": uuid.uuid4().hex}
    core.stats.count("list_projects" if exchange.raw_path == PROJECTS else "iam_unknown")
    try:
        body = exchange.read_body(MAX_BODY)
        if exchange.raw_path != PROJECTS:
            raise ApiError(404, API_NOT_FOUND, f"IAM API not found: {exchange.raw_path}")
        if exchange.method != "GET":
            raise ApiError(405, METHOD_NOT_ALLOWED, f"method not allowed: {exchange.method}")
        request = Request.received(exchange, body)
        credential = verify_signature(
            core.config,
            request,
            core.wall_time(),
            issued=core.agency.get,
            emulated_now=core.now(),
        )
        name = request.query_one("name")
        projects = [
            project
            for project in _projects(core, credential, exchange.base_url)
            if name is None or project["name"] == name
        ]
        links = {"self": f"{exchange.base_url}{PROJECTS}", "previous": None, "next": None}
        exchange.send(json_response({"projects": projects, "links": links}, headers=trace))
    except ApiError as error:
        response = api_error_response(error, exchange.request_id)
        response.headers.update(trace)
        exchange.send(response)
