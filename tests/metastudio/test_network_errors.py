"""A request that gets no answer says where it went, what failed, and whether it was retried.

Each failure is real, on loopback or in local name resolution: a closed port (refused), a
socket that accepts and never answers (timeout), https to a plain-http server (TLS), and a
name under ``.invalid``, which RFC 6761 reserves to never resolve (DNS).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from reconciler.emulator import Emulator
from reconciler.metastudio import (
    AkSkCredentials,
    MetaStudioClient,
    OutcomeUnknownError,
    RateLimits,
    RetryPolicy,
    TransportError,
)
from tests.metastudio.conftest import AK, PROJECT, SK, RecordingSleep

BODY = {"voice_name": "calm", "sex": "FEMALE", "language": "CN", "create_type": "PACKAGE"}


def client_for(
    url: str, attempts: int = 3, timeout: tuple[float, float] = (2.0, 2.0)
) -> MetaStudioClient:
    client = MetaStudioClient.connect(
        url,
        AkSkCredentials(AK, SK, PROJECT),
        retry=RetryPolicy(max_attempts=attempts, base_delay=0.01, max_delay=0.02),
        rate_limits=RateLimits.unlimited(),
        timeout=timeout,
    )
    client.transport.sleep = RecordingSleep()
    return client


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SilentServer:
    """Accepts every connection and never sends a byte; counts the connections."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = int(self.sock.getsockname()[1])
        self.accepted: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(conn)
            self.answer(conn)

    def answer(self, conn: socket.socket) -> None:
        """Silent: a subclass may answer some connections."""

    def close(self) -> None:
        self.sock.close()
        for conn in self.accepted:
            conn.close()


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.close()


def test_refused_connection_names_host_operation_and_retries(tmp_path: object) -> None:
    port = closed_port()
    with client_for(f"http://127.0.0.1:{port}", attempts=3) as client:
        with pytest.raises(TransportError) as error:
            client.list_jobs()
        message = str(error.value)
        assert message.startswith("MetaStudio list_jobs failed: ")
        assert f"127.0.0.1:{port} refused the connection" in message
        assert "gave up after 3 attempts in " in message
        assert "\n" not in message
        assert len(client.transport.sleep.calls) == 2  # type: ignore[attr-defined]
        # nothing was sent, so a create is retried too and is not "outcome unknown"
        with pytest.raises(TransportError, match="refused the connection"):
            client.create_job("BASIC", BODY)


def test_timeout_says_the_host_accepted_and_never_answered(silent: SilentServer) -> None:
    with client_for(f"http://127.0.0.1:{silent.port}", attempts=2, timeout=(2.0, 0.3)) as client:
        with pytest.raises(TransportError) as error:
            client.list_jobs()
        message = str(error.value)
        assert f"127.0.0.1:{silent.port} accepted the connection but sent no answer " in message
        assert "within 0.3 s (timeout)" in message and "gave up after 2 attempts" in message
        assert len(silent.accepted) == 2
        # A create that may have arrived is never repeated: its outcome is unknown.
        with pytest.raises(OutcomeUnknownError) as unknown:
            client.create_job("BASIC", BODY)
        assert "sent no answer" in str(unknown.value) and "not retried" in str(unknown.value)
        assert len(silent.accepted) == 3


def test_tls_to_a_plain_http_server_is_its_own_failure_and_not_retried(
    emulator: Emulator,
) -> None:
    port = emulator.base_url.rsplit(":", 1)[1]
    with client_for(f"https://127.0.0.1:{port}", attempts=3) as client:
        with pytest.raises(TransportError) as error:
            client.list_jobs()
    message = str(error.value)
    assert f"TLS with 127.0.0.1:{port} failed" in message and "not retried" in message
    assert "wrong scheme (http vs https)" in message
    assert client.transport.sleep.calls == []  # type: ignore[attr-defined]


def test_dns_failure_is_its_own_failure_and_not_retried() -> None:
    with client_for("https://metastudio.example.invalid", attempts=3) as client:
        with pytest.raises(TransportError) as error:
            client.list_jobs()
        with pytest.raises(TransportError, match="does not resolve"):
            client.create_job("BASIC", BODY)  # never sent: not "outcome unknown"
    message = str(error.value)
    assert "the host name metastudio.example.invalid does not resolve (DNS" in message
    assert "not retried" in message
    assert client.transport.sleep.calls == []  # type: ignore[attr-defined]


def test_upload_failure_names_the_store_host_not_the_signature(tmp_path: object) -> None:
    from pathlib import Path

    from reconciler.metastudio import SignedUrl

    folder = Path(str(tmp_path))
    data = folder / "d.zip"
    data.write_bytes(b"PK\x05\x06" + bytes(18))
    port = closed_port()
    url = SignedUrl(f"http://127.0.0.1:{port}/bucket/d.zip?Signature=c2VjcmV0&AccessKeyId=AK9")
    with client_for(f"http://127.0.0.1:{port}", attempts=2) as client:
        with pytest.raises(TransportError) as error:
            client.upload(url, data, "package")
    message = str(error.value)
    assert "upload package failed" in message and f"127.0.0.1:{port} refused" in message
    assert "c2VjcmV0" not in message and "AK9" not in message
