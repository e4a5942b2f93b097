"""Real stores on loopback for the remote-backend tests: moto's S3 server, a proxy in front
of it (strips conditional headers, injects faults, counts bytes), and a PostgreSQL server."""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIATESTKEY0000SECRET",
    "AWS_SECRET_ACCESS_KEY": "test-secret-access-key-never-logged",
    "AWS_DEFAULT_REGION": "us-east-1",
}
PG_PASSWORD = "pg-password-never-logged"
_CONDITIONAL = ("if-none-match", "if-match")


@dataclass
class Proxy:
    """Forwards to ``upstream``; what it does to requests is set by the test as it goes."""

    upstream: tuple[str, int]
    strip_conditions: bool = False
    # Called with (method, path); returns "500", "reset", "reset-after" or None.
    fault: Callable[[str, str], str | None] | None = None
    sent: list[tuple[str, str, int]] = field(default_factory=list)  # method, path, body bytes
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def body_bytes(self, method: str, fragment: str) -> int:
        return sum(n for m, p, n in self.sent if m == method and fragment in p)

    def start(self) -> Proxy:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _forward(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                proxy.sent.append((self.command, self.path, len(body)))
                fault = proxy.fault(self.command, self.path) if proxy.fault else None
                if fault == "reset":
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                if fault == "500":
                    payload = b"<Error><Code>InternalError</Code></Error>"
                    self.send_response(500)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                    return
                headers = {
                    k: v
                    for k, v in self.headers.items()
                    if not (proxy.strip_conditions and k.lower() in _CONDITIONAL)
                }
                conn = http.client.HTTPConnection(*proxy.upstream, timeout=30)
                conn.request(self.command, self.path, body=body, headers=headers)
                reply = conn.getresponse()
                data = reply.read()
                conn.close()
                if fault == "reset-after":  # the store did it; the client never hears
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                self.send_response(reply.status)
                for key, value in reply.getheaders():
                    if key.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(key, value)
                # A HEAD's answer has no body but says the object's length.
                told = reply.getheader("Content-Length") if self.command == "HEAD" else None
                self.send_header("Content-Length", told or str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def find_pg_bin() -> Path | None:
    candidates = [Path("/usr/local/bin"), *sorted(Path("/usr/lib/postgresql").glob("*/bin"))]
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class PostgresServer:
    """initdb + postgres in a temporary directory, as an unprivileged user when run as root."""

    bin_dir: Path
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="reconciler-pg-")))
    port: int = field(default_factory=_free_port)

    @property
    def dsn(self) -> str:
        return f"host=127.0.0.1 port={self.port} dbname=postgres user=reconciler"

    def _as_owner(self, *argv: str) -> list[str]:
        if os.geteuid() != 0:
            return list(argv)
        return ["runuser", "-u", "nobody", "--", *argv]

    def start(self) -> PostgresServer:
        data = self.root / "data"
        pwfile = self.root / "pw"
        pwfile.write_text(PG_PASSWORD + "\n")
        if os.geteuid() == 0:
            os.chmod(self.root, 0o777)  # noqa: S103 (nobody owns its data below)
            shutil.chown(pwfile, "nobody")
        run = [
            str(self.bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            "reconciler",
            "--auth=scram-sha-256",
            f"--pwfile={pwfile}",
            "--no-sync",
        ]
        subprocess.run(self._as_owner(*run), check=True, capture_output=True, timeout=120)
        options = f"-p {self.port} -h 127.0.0.1 -k {self.root} -F -c fsync=off"
        ctl = [str(self.bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-w"]
        log = str(self.root / "log")
        subprocess.run(
            self._as_owner(*ctl, "-l", log, "start"), check=True, capture_output=True, timeout=60
        )
        return self

    def stop(self) -> None:
        ctl = [str(self.bin_dir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate"]
        subprocess.run(self._as_owner(*ctl, "stop"), capture_output=True, timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


class TcpProxy:
    """Forwards loopback TCP to ``port``, counting the bytes clients send; ``cut()`` resets
    every open connection (a network fault, as the server and the client both see it)."""

    def __init__(self, port: int) -> None:
        self.upstream = port
        self.sent = 0
        # Once a client sends these bytes, the server's next reply is lost and the connection
        # reset: the request was carried out, and the client cannot know.
        self.lose_reply_to: bytes | None = None
        self._armed: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._conns: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.upstream))
            with self._lock:
                self._conns += [client, server]
            threading.Thread(target=self._pump, args=(client, server, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, False), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, upstream: bool) -> None:
        try:
            while data := source.recv(65536):
                with self._lock:
                    if upstream:
                        self.sent += len(data)
                        if self.lose_reply_to is not None and self.lose_reply_to in data:
                            self.lose_reply_to = None
                            self._armed.add(source)
                    elif target in self._armed:
                        self._armed.discard(target)
                        raise OSError("reply lost")
                target.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, target):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        with self._lock:
            conns, self._conns = self._conns, []
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()

    def stop(self) -> None:
        self._listener.close()
        self.cut()
