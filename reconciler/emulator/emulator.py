"""The embeddable emulator: a Core behind an HTTP server on a background thread."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from types import TracebackType
from typing import Any

from reconciler.emulator import admin
from reconciler.emulator.config import EmulatorConfig
from reconciler.emulator.core import Core
from reconciler.emulator.faults import FaultPlan
from reconciler.emulator.reviewer import ReviewFunction
from reconciler.emulator.server import EmulatorServer, base_url, make_server

STOP_TIMEOUT = 5.0


class Emulator:
    """``with Emulator(config) as emu: requests.get(emu.base_url + ...)``.

    The data directory is loaded when the object is built, so jobs can be seeded before the
    server starts; ``stop()`` closes every connection, joins the review workers and frees the
    port. ``review`` replaces the system audit's analysis (``audit.audit_job``), for tests.
    """

    def __init__(
        self,
        config: EmulatorConfig,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        review: ReviewFunction | None = None,
    ) -> None:
        self.config = config
        self.host = host
        self.port = port
        self.core = Core(config) if review is None else Core(config, review)
        self._server: EmulatorServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        if self._server is None:
            raise RuntimeError("the emulator is not running; call start() first")
        return base_url(self._server)

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> Emulator:
        if self._server is not None:
            return self
        self.core.stopping.clear()
        server = make_server(self.host, self.port, self.core)
        self.core.reviewer.start(f"metastudio-review-{server.server_address[1]}")
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"metastudio-emulator-{server.server_address[1]}",
            daemon=True,
        )
        thread.start()
        self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self.core.stopping.set()
        server.shutdown()
        server.close_connections()
        # Also wakes the requests waiting for a verdict, so that they finish.
        self.core.reviewer.stop(self.config.review_timeout_seconds)
        self.core.wait_idle(STOP_TIMEOUT)
        server.server_close()
        thread.join(STOP_TIMEOUT)
        self._server = self._thread = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def _base(self) -> str:
        return self.base_url if self.running else f"http://{self.host}:{self.port}"

    # Controls, mirroring the /_emulator/ endpoints --------------------------------------

    def set_faults(self, plan: FaultPlan) -> None:
        self.core.faults.set_plan(plan)

    def stats(self) -> dict[str, Any]:
        return admin.stats(self.core)

    def reset_stats(self) -> dict[str, Any]:
        return admin.reset_stats(self.core)

    def seed_jobs(self, jobs: Iterable[Mapping[str, Any]]) -> list[str]:
        return admin.seed_jobs(self.core, jobs)

    def jobs(self) -> list[dict[str, Any]]:
        return admin.all_jobs(self.core, self._base())

    def advance_job(self, job_id: str) -> dict[str, Any]:
        return admin.advance_job(self.core, job_id, self._base())

    def await_reviews(self, timeout: float = 60.0) -> bool:
        """Wait until every submitted job's system audit has its verdict (False: not yet)."""
        return self.core.await_reviews(timeout)

    def fail_job(
        self, job_id: str, state: str = "FAILED", reason: str = "failed by the emulator admin"
    ) -> dict[str, Any]:
        return admin.fail_job(self.core, job_id, state, reason, self._base())

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        return admin.advance_clock(self.core, seconds)

    def advance_tts(self, tts_id: str) -> dict[str, Any]:
        return admin.advance_tts(self.core, tts_id, self._base())

    def advance_short_job(self, job_id: str) -> dict[str, Any]:
        return admin.advance_short_job(self.core, job_id)
