"""What `status` shows, and what `apply --wait` shows once applied: the table (or `--format
json`) for people, or the UI stream with --json; one interface, chosen once from the flags."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Protocol

from reconciler.environment import Environment
from reconciler.errors import ExitStatus
from reconciler.operations.status import StatusReport
from reconciler.status import VoiceStatus
from reconciler.views.base import TextView, View
from reconciler.views.status_table import problem_line, render_json, render_table
from reconciler.views.stream import JsonStream, JsonView, json_stream
from reconciler.views.wait_progress import WaitProgress


class StatusView(View, Protocol):
    def observed(self, report: StatusReport, configured: Collection[str]) -> int:
        """Where the voices stand, observed once; the exit code."""

    def waiting(self, statuses: Sequence[VoiceStatus], configured: Collection[str]) -> None:
        """Every poll while waiting."""

    def say(self, line: str) -> None:
        """A line of progress while waiting (a preview saved, a poll that failed)."""

    def close(self) -> None:
        """Waiting ended, well or not."""

    def waited(self, report: StatusReport, configured: Collection[str]) -> int:
        """Where the voices stand after waiting, and why not all succeeded; the exit code."""


def status_view(env: Environment, *, json: bool, fmt: str = "text") -> StatusView:
    return StatusJson(json_stream(env)) if json else StatusText(env, fmt)


class StatusText(TextView):
    def __init__(self, env: Environment, fmt: str = "text") -> None:
        super().__init__(env)
        self.fmt = fmt
        self._progress: WaitProgress | None = None

    def _wait(self) -> WaitProgress:
        if self._progress is None:
            # Progress goes to stdout, or to stderr when the output is JSON (stdout stays
            # parseable).
            env = self.env
            json = self.fmt == "json"
            out = env.stderr if json else env.stdout
            tty = env.stderr_is_tty if json else env.stdout_is_tty
            self._progress = WaitProgress(
                out,
                live=tty and not env.dumb_terminal,
                interval=env.progress_interval,
                clock=env.clock,
            )
        return self._progress

    def observed(self, report: StatusReport, configured: Collection[str]) -> int:
        self._show(report, configured)
        return int(ExitStatus.OK)

    def waiting(self, statuses: Sequence[VoiceStatus], configured: Collection[str]) -> None:
        self._wait().update(statuses)

    def say(self, line: str) -> None:
        self._wait().line(line)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.close()

    def waited(self, report: StatusReport, configured: Collection[str]) -> int:
        """The table (or JSON) after waiting, the reasons on stderr, and the exit code: 0 when
        every voice SUCCEED (with its preview, if any)."""
        if self.fmt == "text":
            self.env.out()
        self._show(report, configured)
        problems = [text for _, text in report_problems(report)]
        for problem in problems:
            self.env.err(f"Error: {problem}")
        return int(ExitStatus.ERROR if problems else ExitStatus.OK)

    def _show(self, report: StatusReport, configured: Collection[str]) -> None:
        if self.fmt == "json":
            self.env.out(render_json(report.statuses, configured, report.previews.paths_by_name()))
        else:
            self.env.out(render_table(report.statuses, configured, report.previews.notes()))
        if report.not_recorded is not None:
            self.env.err(
                f"warning: the observed states were not recorded in the state file: "
                f"{report.not_recorded}"
            )


class StatusJson(JsonView):
    """A refresh per voice; waiting, one more per voice whose state moved, then a diagnostic
    per problem. Exit codes as without --json."""

    def __init__(self, stream: JsonStream) -> None:
        super().__init__(stream)
        self._seen: dict[str, str | None] = {}

    def observed(self, report: StatusReport, configured: Collection[str]) -> int:
        self.stream.statuses(report.statuses, configured, start=True)
        self._not_recorded(report)
        return int(ExitStatus.OK)

    def waiting(self, statuses: Sequence[VoiceStatus], configured: Collection[str]) -> None:
        seen = self._seen
        moved = [s for s in statuses if s.address not in seen or seen[s.address] != s.state]
        seen.update((s.address, s.state) for s in moved)
        self.stream.statuses(moved, configured, start=True)

    def waited(self, report: StatusReport, configured: Collection[str]) -> int:
        final_statuses(self.stream, report, configured)
        self._not_recorded(report)
        return tell_problems(self.stream, report)

    def _not_recorded(self, report: StatusReport) -> None:
        if report.not_recorded is not None:
            self.stream.warning(
                "The observed states were not recorded in the state file", report.not_recorded
            )


def final_statuses(stream: JsonStream, report: StatusReport, configured: Collection[str]) -> None:
    """The last refresh_complete of each voice is its final status, previews included."""
    paths = report.previews.paths_by_name()
    stream.statuses(report.statuses, configured, start=False, previews=paths)


def tell_problems(stream: JsonStream, report: StatusReport) -> int:
    problems = report_problems(report)
    stream.problems(problems)
    return int(ExitStatus.ERROR if problems else ExitStatus.OK)


def report_problems(report: StatusReport) -> list[tuple[str | None, str]]:
    """Why waiting did not end well, with the voice's address where there is one: failed
    voices, failed previews, the timeout."""
    problems: list[tuple[str | None, str]] = [
        (s.address, problem_line(s)) for s in report.statuses if s.failed
    ]
    problems += [(None, text) for text in report.previews.failures()]
    if report.timed_out is not None:
        problems.append((None, str(report.timed_out)))
    return problems
