"""The emulator under test, as its own process (``reconciler emulator serve``), and a client.

A separate process keeps the emulator's CPU apart from the measured client's or plan's: on
two cores, sharing one interpreter (and its GIL) would blur both.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

import requests

from bench.common import AK, PROJECT, SK, child_env

if TYPE_CHECKING:
    from reconciler.metastudio import MetaStudioClient


class EmulatorProcess:
    """``python -m reconciler emulator serve`` on a free loopback port, for one benchmark.

    Jobs only move through the admin endpoints (--seconds-per-state -1), so nothing changes
    behind a measurement's back.
    """

    def __init__(self, data_dir: Path, *, faults: Mapping[str, Any] | None = None) -> None:
        self.data_dir = data_dir
        self.faults = faults
        self.base_url = ""
        self._process: subprocess.Popen[str] | None = None
        self.log = data_dir.with_name(f"{data_dir.name}.log")  # the emulator's stderr
        self._admin = requests.Session()
        self._admin.trust_env = False  # loopback only: never through a proxy

    def __enter__(self) -> EmulatorProcess:
        argv = [
            sys.executable,
            "-m",
            "reconciler",
            "emulator",
            "serve",
            "--port",
            "0",
            "--data-dir",
            str(self.data_dir),
            "--seconds-per-state",
            "-1",
        ]
        if self.faults:
            argv += ["--faults", json.dumps(self.faults)]
        env = child_env(
            {
                "HUAWEICLOUD_SDK_AK": AK,
                "HUAWEICLOUD_SDK_SK": SK,
                "HUAWEICLOUD_SDK_PROJECT_ID": PROJECT,
            }
        )
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as log:  # the child keeps its own copy of the descriptor
            self._process = subprocess.Popen(
                argv, env=env, stdout=subprocess.PIPE, stderr=log, text=True
            )
        assert self._process.stdout is not None
        first = self._process.stdout.readline()
        match = re.search(r"(http://\S+)", first)
        if match is None:
            self.__exit__(None, None, None)
            why = self.log.read_text(errors="replace")
            raise RuntimeError(f"the emulator did not start: {first!r} {why}")
        self.base_url = match.group(1).rstrip("/")
        # Keep reading, so that the emulator can never block on a full pipe.
        threading.Thread(
            target=self._process.stdout.read, name="emulator-stdout", daemon=True
        ).start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        process, self._process = self._process, None
        if process is not None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._admin.close()

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        response = self._admin.request(
            method, f"{self.base_url}/_emulator{path}", json=body, timeout=120
        )
        response.raise_for_status()
        return response.json() if response.content else None

    def reset_stats(self) -> None:
        self.admin("DELETE", "/stats")

    def operations(self) -> dict[str, int]:
        """API and object-store requests by operation since the last reset."""
        return dict(self.admin("GET", "/stats")["operations"])


def bench_client(base_url: str) -> MetaStudioClient:
    """A client of the emulator with rate limits off (each benchmark says why)."""
    from reconciler.metastudio import AkSkCredentials, MetaStudioClient, RateLimits

    client = MetaStudioClient.connect(
        base_url, AkSkCredentials(AK, SK, PROJECT), rate_limits=RateLimits.unlimited()
    )
    client.transport.session.trust_env = False
    return client
