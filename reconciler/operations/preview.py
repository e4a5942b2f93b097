"""Previews: the one a trained voice gets, kept under .reconciler/previews/<voice>/, and
making them for the voices whose configuration asks for one (`preview.text`) once they SUCCEED.

A marker beside the files says which asset and text they were made from. It is written as
soon as the audition job exists, so a run killed while waiting resumes that job instead of
paying for a second one; it gains the file names once they are downloaded. The API calls
(create the audition, poll it, download its files) are reconciler.metastudio.preview's.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reconciler.addresses import address_of, resolve_address
from reconciler.errors import ReconcilerError, UsageError
from reconciler.fsutil import atomic_write, ensure_dir, file_errors
from reconciler.metastudio import MetaStudioClient, MetaStudioError
from reconciler.metastudio.preview import (
    POLL_SECONDS,
    TIMEOUT_SECONDS,
    PreviewFailed,
    fetch_preview,
    make_preview,
    start_preview,
)
from reconciler.operations.workspace import Workspace
from reconciler.status import VoiceStatus, collect

MARKER = "preview.json"
_OUR_FILE = re.compile(r"^[0-9]+\.wav$")  # the only names we ever delete


def preview_dir(root_dir: Path, name: str) -> Path:
    return root_dir / ".reconciler" / "previews" / name


@dataclass(frozen=True)
class Marker:
    asset_id: str
    text: str
    tts_job_id: str
    files: tuple[str, ...] | None  # None: started, not downloaded yet

    def matches(self, asset_id: str, text: str) -> bool:
        return (self.asset_id, self.text) == (asset_id, text)

    def to_json(self) -> bytes:
        body: dict[str, Any] = {
            "asset_id": self.asset_id,
            "text": self.text,
            "tts_job_id": self.tts_job_id,
            "files": None if self.files is None else list(self.files),
        }
        return (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode()


def read_marker(folder: Path) -> Marker | None:
    try:
        data = json.loads((folder / MARKER).read_text("utf-8"))
        files = data["files"]
        return Marker(
            asset_id=str(data["asset_id"]),
            text=str(data["text"]),
            tts_job_id=str(data["tts_job_id"]),
            files=None if files is None else tuple(str(f) for f in files),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None  # unreadable or foreign: treat as absent and make a new preview


def saved_preview(folder: Path, asset_id: str, text: str) -> list[Path] | None:
    """The downloaded files of this asset and text, if all are still there."""
    marker = read_marker(folder)
    if marker is None or marker.files is None or not marker.matches(asset_id, text):
        return None
    paths = [folder / f for f in marker.files]
    return paths if all(p.is_file() for p in paths) else None


def _write(folder: Path, marker: Marker) -> None:
    with file_errors("write preview marker", folder / MARKER):
        atomic_write(folder / MARKER, marker.to_json(), 0o644)


def ensure_preview(
    client: MetaStudioClient,
    folder: Path,
    asset_id: str,
    text: str,
    *,
    poll: float = POLL_SECONDS,
    timeout: float = TIMEOUT_SECONDS,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> tuple[list[Path], bool]:
    """The preview's files, and whether they were made now (False: already there)."""
    saved = saved_preview(folder, asset_id, text)
    if saved is not None:
        return saved, False
    ensure_dir(folder)  # before an audition is paid for, not after
    previous = read_marker(folder)
    pending = previous if previous and previous.matches(asset_id, text) else None

    def fetch(tts_job_id: str) -> list[Path]:
        return fetch_preview(
            client, tts_job_id, folder, poll=poll, timeout=timeout, sleep=sleep, clock=clock
        )

    paths: list[Path] | None = None
    tts_job_id = pending.tts_job_id if pending else ""
    if pending is not None:
        try:
            paths = fetch(tts_job_id)
        except PreviewFailed:
            pass  # that job is dead; a new one may work
        except MetaStudioError as error:
            if error.status != 400:  # 400: that audition is unknown now; start another
                raise
    if paths is None:
        tts_job_id = start_preview(client, asset_id, text)
        _write(folder, Marker(asset_id, text, tts_job_id, None))
        paths = fetch(tts_job_id)
    _write(folder, Marker(asset_id, text, tts_job_id, tuple(p.name for p in paths)))
    # Fewer files than an earlier preview (other text): drop the leftovers.
    leftovers = set(previous.files or ()) if previous else set()
    for stale in leftovers - {p.name for p in paths}:
        if _OUR_FILE.match(stale):
            with file_errors("remove old preview file", folder / stale):
                (folder / stale).unlink(missing_ok=True)
    return paths, True


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


@dataclass(frozen=True)
class PreviewRequest:
    """`reconciler preview`: one audition of one voice, saved into ``out``."""

    address: str
    out: Path
    text: str | None = None  # None: the voice's preview.text
    timeout: float = TIMEOUT_SECONDS
    speed: int | None = None
    pitch: int | None = None
    volume: int | None = None


@dataclass(frozen=True)
class Audition:
    name: str
    asset_id: str
    paths: list[Path]


def preview_voice(
    workspace: Workspace,
    request: PreviewRequest,
    *,
    trained_asset: Callable[[VoiceStatus], str],
    charged: Callable[[], None],
) -> Audition:
    """Synthesize the text with the voice's trained asset. ``trained_asset`` says which asset
    or refuses (saying why); ``charged`` is told before a third-party voice's paid audition."""
    state = workspace.backend.read()
    known = set(state.voices) | set(workspace.config.voices)
    name = resolve_address(request.address, known, "the configuration or the state")
    text = _text(workspace, request, name)
    # Made now: a bad --out found after the audition is paid for would waste it.
    out = ensure_dir(request.out, UsageError)
    with workspace.client() as client:
        asset_id = trained_asset(collect(client, state, [name])[0])
        if state.voices[name].edition == "third-party":
            charged()
        paths = make_preview(
            client,
            asset_id,
            text,
            out,
            timeout=request.timeout,
            speed=request.speed,
            pitch=request.pitch,
            volume=request.volume,
        )
    return Audition(name, asset_id, paths)


def _text(workspace: Workspace, request: PreviewRequest, name: str) -> str:
    voice = workspace.config.voices.get(name)
    text = request.text if request.text is not None else voice.preview_text if voice else None
    if text is None:
        raise UsageError(
            f"--text is required: the configuration has no preview.text for voice.{name}"
        )
    return str(text)
