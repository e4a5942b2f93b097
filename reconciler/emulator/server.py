"""The HTTP layer: a threading HTTP/1.1 server whose handler is the dispatchers' Exchange."""

from __future__ import annotations

import contextlib
import logging
import re
import socket
import socketserver
import struct
import threading
import uuid
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from reconciler.emulator.admin import handle_admin
from reconciler.emulator.api_iam import PREFIX as IAM_PREFIX
from reconciler.emulator.api_iam import handle_iam
from reconciler.emulator.api_metadata import PREFIXES as METADATA_PREFIXES
from reconciler.emulator.api_metadata import handle_metadata
from reconciler.emulator.core import Core
from reconciler.emulator.dispatch import handle_api
from reconciler.emulator.errors import INTERNAL_ERROR, INVALID_BODY, ApiError
from reconciler.emulator.objects import PREFIX as OBS_PREFIX
from reconciler.emulator.objects import handle_object
from reconciler.emulator.wire import Response, api_error_response, combined_headers, header

BLOCK = 1 << 20
MAX_DRAIN = 16 << 20  # larger unread bodies are not worth reading: the connection is closed
_SIGNATURE = re.compile(r"(Signature|Expires|AccessKeyId)=[^&\s\"]*")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")
log = logging.getLogger(__name__)


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], core: Core) -> None:
        self.core = core
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, RequestHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind resolves the host name, which can stall on a slow resolver.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Wake every handler blocked on a keep-alive connection so it exits."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("connection from %s ended with an error", client_address, exc_info=True)


class EmulatorServerV6(EmulatorServer):
    address_family = socket.AF_INET6


class RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "MetaStudioEmulator/0.1"
    sys_version = ""
    timeout = 300
    server: EmulatorServer

    def setup(self) -> None:
        super().setup()
        # Without this, Nagle plus the client's delayed ACK adds ~40 ms to every response.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        # Request lines carry presigned URLs: their signatures must not reach any log.
        message = _SIGNATURE.sub(r"\1=***", format % args)
        log.debug("%s %s", self.address_string(), message)

    def do_GET(self) -> None:
        sent_id = self.headers.get("X-Request-Id") or ""
        self.request_id = sent_id if _REQUEST_ID.match(sent_id) else uuid.uuid4().hex
        self.method = self.command
        self.raw_path, _, self.query_string = self.path.partition("?")
        self._headers_map = combined_headers(self.headers.items())
        host = header(self._headers_map, "Host")
        self.base_url = f"http://{host}" if host else base_url(self.server)
        self._body_read = False
        self._responded = False
        core = self.server.core
        with core.request_scope():
            try:
                if self.raw_path.startswith(OBS_PREFIX):
                    handle_object(core, self)
                elif self.raw_path.startswith("/_emulator/"):
                    handle_admin(core, self)
                elif self.raw_path.startswith(IAM_PREFIX):
                    handle_iam(core, self)
                elif self.raw_path.startswith(METADATA_PREFIXES):
                    handle_metadata(core, self)
                else:
                    handle_api(core, self)
            except Exception:
                log.exception("emulator bug on %s %s", self.command, self.raw_path)
                self.close_connection = True
                bug = ApiError(500, INTERNAL_ERROR, "Internal server error")
                self.send(api_error_response(bug, self.request_id))

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    # Exchange -------------------------------------------------------------------------

    @property
    def headers_map(self) -> Mapping[str, str]:
        return self._headers_map

    def read(self, size: int) -> bytes:
        self._body_read = True
        try:
            return self.rfile.read(size)
        except OSError:
            return b""

    def _chunked(self) -> bool:
        return "chunked" in (self.headers.get("Transfer-Encoding") or "").lower()

    def read_body(self, limit: int) -> bytes:
        self._body_read = True
        if self._chunked():
            return self._read_chunked(limit)
        length_text = self.headers.get("Content-Length")
        if length_text is None:
            return b""
        if not length_text.strip().isdigit():
            self.close_connection = True
            raise ApiError(400, INVALID_BODY, "Invalid body: bad Content-Length")
        length = int(length_text)
        if length > limit:
            self.close_connection = True
            raise ApiError(413, INVALID_BODY, f"Invalid body: larger than {limit} bytes")
        body = self.rfile.read(length)
        if len(body) < length:
            self.close_connection = True
        return body

    def _read_chunked(self, limit: int) -> bytes:
        parts: list[bytes] = []
        total = 0
        while True:
            size_line = self.rfile.readline(1024).split(b";")[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError:
                self.close_connection = True
                raise ApiError(400, INVALID_BODY, "Invalid body: bad chunked encoding") from None
            total += size
            if total > limit:
                self.close_connection = True
                raise ApiError(413, INVALID_BODY, f"Invalid body: larger than {limit} bytes")
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(parts)
            parts.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def drain_body(self) -> None:
        """Consume an unread body so the connection can serve the next request."""
        if self._body_read:
            return
        try:
            if self._chunked():
                self.read_body(MAX_DRAIN)
                return
            remaining = int(self.headers.get("Content-Length") or 0)
            if remaining > MAX_DRAIN:
                self.close_connection = True
                return
            while remaining > 0:
                block = self.read(min(remaining, BLOCK))
                if not block:
                    break
                remaining -= len(block)
        except (ApiError, ValueError):
            self.close_connection = True
        self._body_read = True

    def send(self, response: Response) -> None:
        if self._responded:
            return
        self._responded = True
        length = response.file.stat().st_size if response.file else len(response.body)
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(length))
            self.send_header("X-Request-Id", self.request_id)
            for name, value in response.headers.items():
                self.send_header(name, value)
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self._write_body(response)
        except OSError:
            self.close_connection = True

    def _write_body(self, response: Response) -> None:
        if response.file is None:
            self.wfile.write(response.body)
            return
        with response.file.open("rb") as source:
            while block := source.read(BLOCK):
                self.wfile.write(block)

    def reset(self) -> None:
        """Abort the connection with a TCP RST (SO_LINGER 0) and no response."""
        self._responded = True
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            # The socket only really closes (and sends the RST) once its file objects are gone.
            self.rfile.close()
            self.wfile.close()
            self.connection.close()
        except OSError:
            pass


def base_url(server: EmulatorServer) -> str:
    host, port = server.server_address[:2]
    host = host.decode() if isinstance(host, bytes) else host
    host_text = f"[{host}]" if ":" in host else host
    return f"http://{host_text}:{port}"


def make_server(host: str, port: int, core: Core) -> EmulatorServer:
    server_class = EmulatorServerV6 if ":" in host else EmulatorServer
    return server_class((host, port), core)
