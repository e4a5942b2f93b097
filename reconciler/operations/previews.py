"""Previews for voices whose configuration asks for one (`preview.text`), made once they SUCCEED."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from reconciler.addresses import address_of
from reconciler.errors import ReconcilerError
from reconciler.metastudio import MetaStudioClient
from reconciler.operations.workspace import Workspace
from reconciler.preview import POLL_SECONDS, TIMEOUT_SECONDS
from reconciler.status import VoiceStatus
from reconciler.status.previews import ensure_preview, preview_dir, saved_preview


def shown(path: Path, cwd: Path) -> str:
    try:
        return str(path.relative_to(cwd))
    except ValueError:
        return str(path)


class PreviewMaker:
    """Tries each voice at most once per run; with ``make`` False it only finds saved ones."""

    def __init__(
        self,
        workspace: Workspace,
        client: MetaStudioClient,
        cwd: Path,
        *,
        make: bool,
        say: Callable[[str], None] = lambda _: None,
        poll: float = POLL_SECONDS,
        timeout: float = TIMEOUT_SECONDS,
    ) -> None:
        self._workspace = workspace
        self._client = client
        self._cwd = cwd
        self._make = make
        self._say = say
        self._poll = poll
        self._timeout = timeout
        self.saved: dict[str, list[Path]] = {}
        self.missing: set[str] = set()
        self.failed: dict[str, str] = {}

    def look(self, statuses: Iterable[VoiceStatus]) -> None:
        for status in statuses:
            voice = self._workspace.config.voices.get(status.name)
            if voice is None or not voice.preview_text or not status.succeeded:
                continue
            if status.name in self.saved or status.name in self.failed or not status.asset_id:
                continue
            folder = preview_dir(self._workspace.config.root_dir, status.name)
            paths = saved_preview(folder, status.asset_id, voice.preview_text)
            if paths is None and self._make:
                paths = self._make_one(status, folder, voice.preview_text)
            if paths is None:
                self.missing.add(status.name)
            else:
                self.missing.discard(status.name)
                self.saved[status.name] = paths

    def _make_one(self, status: VoiceStatus, folder: Path, text: str) -> list[Path] | None:
        assert status.asset_id is not None
        try:
            paths, _ = ensure_preview(
                self._client,
                folder,
                status.asset_id,
                text,
                poll=self._poll,
                timeout=self._timeout,
            )
        except ReconcilerError as error:
            self.failed[status.name] = str(error)
            self._say(f"{status.address}: preview failed: {error}")
            return None
        listed = ", ".join(shown(p, self._cwd) for p in paths)
        self._say(f"{status.address}: preview saved: {listed}")
        return paths

    def paths_by_name(self) -> dict[str, list[str]]:
        return {name: [shown(p, self._cwd) for p in paths] for name, paths in self.saved.items()}

    def notes(self) -> dict[str, list[str]]:
        lines = {
            name: [f"preview: {p}" for p in paths] for name, paths in self.paths_by_name().items()
        }
        for name in self.missing - set(self.failed):
            lines[name] = ["preview: not made yet; `reconciler status --wait` makes it"]
        for name, error in self.failed.items():
            lines[name] = [f"preview failed: {error}"]
        return lines

    def failures(self) -> list[str]:
        return [
            f"{address_of(name)}: trained, but its preview failed ({error}); "
            "`reconciler status --wait` tries again"
            for name, error in sorted(self.failed.items())
        ]
