"""`--json`: the machine-readable UI stream on stdout, one JSON object per line.

The messages are built in reconciler.views.ui_messages; this writes them, stamped, and
turns plans, errors and voice statuses into them. Nothing else may reach stdout then.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path

from reconciler import __version__
from reconciler.addresses import address_of
from reconciler.config.diagnostics import Diagnostic, InvalidConfig, display_path, printable
from reconciler.environment import Environment
from reconciler.errors import ConfigError, ReconcilerError
from reconciler.plan.drift import drifts
from reconciler.plan.findings import voice_of
from reconciler.plan.model import Plan
from reconciler.plan.renames import rename_hints
from reconciler.signals import Terminated
from reconciler.status import VoiceStatus
from reconciler.views import ui_messages as ui
from reconciler.views.status_table import voice_json


def timestamp(seconds: float) -> str:
    """RFC 3339 with microseconds, as Terraform stamps its messages."""
    return datetime.fromtimestamp(seconds, timezone.utc).isoformat(timespec="microseconds")


class JsonStream:
    """Thread-safe: apply reports from its worker threads."""

    def __init__(self, env: Environment) -> None:
        self.env = env
        self._lock = threading.Lock()
        self.started = False

    def emit(self, message: ui.Message) -> None:
        stamped = {**message, "@module": ui.MODULE, "@timestamp": timestamp(self.env.clock())}
        line = json.dumps(stamped, ensure_ascii=False, separators=(",", ":"))
        with self._lock:
            self.env.stdout.write(line + "\n")
            self.env.stdout.flush()

    def start(self) -> None:
        """The version message comes first, once."""
        if not self.started:
            self.started = True
            self.emit(ui.version(__version__))

    def plan(self, plan: Plan) -> None:
        """What a plan found and what it would do, as `terraform plan -json` tells it."""
        for change in plan.changes:
            job_id = change.remote.job_id or (change.before or {}).get("job_id")
            if change.remote.refreshed and isinstance(job_id, str):
                self.emit(ui.refresh_start(change.address, job_id))
                self.emit(ui.refresh_complete(change.address, job_id))
        for drift in drifts(plan):
            self.emit(ui.resource_drift(drift))
        for change in plan.changes:
            if change.action.value != "no-op" or change.previous_address is not None:
                self.emit(ui.planned_change(change))
        for hint in rename_hints(plan):  # notes are not in Terraform's messages: a warning
            self.emit(ui.diagnostic("warning", "This looks like a renamed voice", hint))
        self.emit(ui.change_summary(plan.summary, "plan"))

    def warn(self, diagnostic: Diagnostic) -> None:
        """A preflight warning (check_data's ``warn``)."""
        self.emit(located(diagnostic, self.env.cwd))

    def warning(self, summary: str, detail: str = "") -> None:
        self.emit(ui.diagnostic("warning", summary, detail))

    def log(self, text: str) -> None:
        self.emit(ui.log(text))

    def error(self, error: BaseException) -> None:
        """The error that ends the command, as one diagnostic per problem."""
        self.start()
        for message in error_diagnostics(error, self.env):
            self.emit(message)

    def fail(self, error: BaseException, text: str) -> None:
        """As a verb's view (views.base.View): only the diagnostics, not the line."""
        self.error(error)

    def statuses(
        self,
        statuses: Sequence[VoiceStatus],
        configured: Collection[str],
        *,
        start: bool,
        previews: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """Each observed voice as a refresh of its job; ``start`` also sends refresh_start
        (for voices that have a job to read)."""
        for status in statuses:
            if start and status.job_id is not None:
                self.emit(ui.refresh_start(status.address, status.job_id))
            seen = voice_json(status, configured, previews)
            self.emit(ui.refresh_complete(status.address, status.job_id, seen))

    def problems(self, problems: Sequence[tuple[str | None, str]]) -> None:
        for address, text in problems:
            self.emit(ui.diagnostic("error", text, address=address))


def located(d: Diagnostic, cwd: Path) -> ui.Message:
    """A problem at a place in a config or data file: the summary says what, the detail
    names the field, the address the voice (when it is one voice's)."""
    voice = voice_of(d.path)
    return ui.diagnostic(
        d.severity,
        printable(d.message),
        printable(d.path),
        address=None if voice is None else address_of(voice),
        filename=printable(display_path(d.file, cwd)),
        line=d.line,
        column=d.column,
    )


def error_diagnostics(error: BaseException, env: Environment) -> list[ui.Message]:
    if isinstance(error, InvalidConfig):
        return [located(d, env.cwd) for d in error.diagnostics]
    if isinstance(error, ReconcilerError):
        summary = "Invalid configuration" if isinstance(error, ConfigError) else error.message
        detail = error.message if isinstance(error, ConfigError) else error.hint or ""
        if isinstance(error, ConfigError) and error.hint:
            detail += f" ({error.hint})"
        return [ui.diagnostic("error", summary, detail)]
    if isinstance(error, Terminated):
        return [ui.diagnostic("error", "Terminated")]
    if isinstance(error, KeyboardInterrupt):
        return [ui.diagnostic("error", "Interrupted")]
    summary = f"unexpected {type(error).__name__}: {error}"
    return [ui.diagnostic("error", summary, "rerun with --debug")]


class JsonView:
    """The UI stream as a verb's view: the error as diagnostics, a line while waiting as a log
    message."""

    def __init__(self, stream: JsonStream) -> None:
        self.stream = stream

    def fail(self, error: BaseException, text: str) -> None:
        self.stream.fail(error, text)

    def say(self, line: str) -> None:
        self.stream.log(line)

    def close(self) -> None:
        pass


def json_stream(env: Environment) -> JsonStream:
    """The stream of a verb run with --json, its version message sent first."""
    stream = JsonStream(env)
    stream.start()
    return stream
