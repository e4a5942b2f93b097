"""How the executor tells the terminal what it does, without printing itself."""

from __future__ import annotations

from typing import Protocol


class Reporter(Protocol):
    def step(self, address: str, message: str) -> None:
        """A step started or finished: "creating job", "submitted", ..."""

    def upload_started(self, address: str, label: str, total_bytes: int) -> None: ...

    def upload_progress(self, address: str, label: str, delta_bytes: int) -> None: ...

    def upload_finished(self, address: str, label: str) -> None: ...

    def change_started(self, address: str) -> None:
        """The executor took up the voice's change (no-ops included)."""

    def change_finished(self, address: str, ok: bool, job_id: str | None) -> None:
        """The change is done (or failed, or was interrupted); ``job_id`` the voice's job."""


class SilentReporter:
    def step(self, address: str, message: str) -> None:
        pass

    def upload_started(self, address: str, label: str, total_bytes: int) -> None:
        pass

    def upload_progress(self, address: str, label: str, delta_bytes: int) -> None:
        pass

    def upload_finished(self, address: str, label: str) -> None:
        pass

    def change_started(self, address: str) -> None:
        pass

    def change_finished(self, address: str, ok: bool, job_id: str | None) -> None:
        pass
