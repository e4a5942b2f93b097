"""Rendering the status operation's reports: shared by `status` and `apply --wait`."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection

from reconciler.environment import Environment
from reconciler.errors import ExitStatus
from reconciler.metastudio import MetaStudioClient
from reconciler.operations.status import StatusReport, WaitRequest, observe, wait_for
from reconciler.operations.workspace import Workspace
from reconciler.views.status_table import problem_line, render_json, render_table
from reconciler.views.wait_progress import WaitProgress


def _show(env: Environment, workspace: Workspace, report: StatusReport, output: str) -> None:
    configured = workspace.config.voices
    if output == "json":
        env.out(render_json(report.statuses, configured, report.previews.paths_by_name()))
    else:
        env.out(render_table(report.statuses, configured, report.previews.notes()))
    if report.not_recorded is not None:
        env.err(
            f"warning: the observed states were not recorded in the state file: "
            f"{report.not_recorded}"
        )


def report_once(
    workspace: Workspace,
    client: MetaStudioClient,
    names: Collection[str],
    env: Environment,
    *,
    output: str = "text",
    lock_timeout: float = 0.0,
) -> int:
    report = observe(workspace, client, names, cwd=env.cwd, lock_timeout=lock_timeout)
    _show(env, workspace, report, output)
    return int(ExitStatus.OK)


def wait_and_report(
    workspace: Workspace,
    client: MetaStudioClient,
    names: Collection[str] | None,
    env: Environment,
    request: WaitRequest,
    *,
    output: str = "text",
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Wait, then report; 0 when every voice SUCCEED (with its preview, if any), else 1 with
    the reasons on stderr. Progress goes to stdout, or to stderr when ``output`` is json so
    stdout stays parseable."""
    progress = WaitProgress(env.stderr if output == "json" else env.stdout)
    try:
        report = wait_for(
            workspace,
            client,
            names,
            request,
            cwd=env.cwd,
            on_update=progress.update,
            say=progress.line,
            sleep=sleep,
        )
    finally:
        progress.close()
    return finish_report(env, workspace, report, output)


def finish_report(
    env: Environment, workspace: Workspace, report: StatusReport, output: str = "text"
) -> int:
    """The table (or JSON) after waiting, the reasons on stderr, and the exit code."""
    if output == "text":
        env.out()
    _show(env, workspace, report, output)
    problems = [text for _, text in report_problems(report)]
    for problem in problems:
        env.err(f"Error: {problem}")
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
