"""A gateway that answers 200 with something other than a JSON object: every call refuses it
with a MetaStudioError naming the operation, never an AttributeError from a typed result."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from reconciler.metastudio import MetaStudioClient, MetaStudioError
from tests.metastudio.conftest import make_client

BODIES = {"list": b"[]", "string": b'"ok"', "number": b"7", "null": b"null", "html": b"<html>"}


@pytest.fixture(params=sorted(BODIES))
def gateway(request: pytest.FixtureRequest) -> Iterator[str]:
    body = BODIES[request.param]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Request-Id", "req-malformed")
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


CALLS = {
    "show_tenant_duration_cfg": lambda c: c.show_tenant_duration_cfg(),
    "show_voice_training_quotas": lambda c: c.show_voice_training_quotas(),
    "list_jobs": lambda c: c.list_jobs(),
    "show_job": lambda c: c.show_job("job-1"),
}


@pytest.mark.parametrize("call", sorted(CALLS))
def test_an_answer_that_is_not_a_json_object_is_a_named_error(gateway: str, call: str) -> None:
    client: MetaStudioClient
    with make_client(gateway) as client, pytest.raises(MetaStudioError) as caught:
        CALLS[call](client)
    message = str(caught.value)
    assert f"MetaStudio {call} failed" in message and "response is not" in message, message
    assert "req-malformed" in message
