"""A command's --timeout bounds the wait for the metadata service: each request's connect and
read wait is the SDK's 3 s or what is left of the budget, whichever is shorter, and a fetch
whose budget is spent sends nothing more."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.errors import ReconcilerError
from reconciler.metastudio.chain import ChainSettings, resolve_credentials
from reconciler.metastudio.metadata import ENV_METADATA_URL, MetadataService
from reconciler.metastudio.transport import new_session
from tests.metastudio.test_network_errors import SilentServer

TOKEN_ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\ntoken"


class TokenThenSilence(SilentServer):
    """Answers the first request (the session token) and never the next ones."""

    def answer(self, conn: socket.socket) -> None:
        if len(self.accepted) == 1:
            request = b""
            while b"\r\n\r\n" not in request and (chunk := conn.recv(4096)):
                request += chunk
            conn.sendall(TOKEN_ANSWER)
            conn.close()


@pytest.fixture
def half_silent() -> Iterator[TokenThenSilence]:
    server = TokenThenSilence()
    yield server
    server.close()


def _waited(message: str) -> float:
    found = re.search(r"sent no answer within ([0-9.]+) s", message)
    assert found is not None, message
    return float(found.group(1))


def test_a_timeout_shorter_than_the_sdks_bounds_the_wait(tmp_path: Path) -> None:
    silent = SilentServer()
    try:
        with pytest.raises(ReconcilerError) as error, new_session() as session:
            resolve_credentials(
                {ENV_METADATA_URL: f"http://127.0.0.1:{silent.port}"},
                tmp_path,
                ChainSettings(region="cn-north-4", metadata_timeout=0.5),
                session,
            )
        assert len(silent.accepted) == 1
    finally:
        silent.close()
    message = str(error.value)
    assert _waited(message) == 0.5 and "not retried" in message and "\n" not in message


def test_a_timeout_longer_than_the_sdks_keeps_the_sdks() -> None:
    silent = SilentServer()
    try:
        with new_session() as session:
            service = MetadataService(f"http://127.0.0.1:{silent.port}", session, budget=600.0)
            with pytest.raises(ReconcilerError) as error:
                service.fetch()
    finally:
        silent.close()
    assert _waited(str(error.value)) == 3.0 and service.calls == 1


def test_the_budget_is_for_the_whole_fetch_not_each_request(
    half_silent: TokenThenSilence,
) -> None:
    times = iter([0.0, 0.0, 0.8])  # the fetch starts, the token request, 0.8 s later the keys'
    with new_session() as session:
        service = MetadataService(
            f"http://127.0.0.1:{half_silent.port}", session, budget=2.0, clock=lambda: next(times)
        )
        with pytest.raises(ReconcilerError) as error:
            service.fetch()
    assert len(half_silent.accepted) == 2 and service.calls == 2
    assert _waited(str(error.value)) == 1.2  # what was left of the 2 s, not the SDK's 3 s


def test_a_spent_budget_sends_no_further_request(half_silent: TokenThenSilence) -> None:
    times = iter([0.0, 0.0, 5.0])  # the fetch starts, the token request, then 5 s later
    with new_session() as session:
        service = MetadataService(
            f"http://127.0.0.1:{half_silent.port}", session, budget=2.0, clock=lambda: next(times)
        )
        with pytest.raises(ReconcilerError) as error:
            service.fetch()
    assert service.calls == 1 and len(half_silent.accepted) == 1
    message = str(error.value)
    assert "did not give the keys within the --timeout of 2 s" in message
    assert "get_securitykey" in message and "\n" not in message
