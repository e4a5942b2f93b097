"""Show voices' training status, once or until it settles: shared by `status` and `apply --wait`.

Nothing here holds the state lock while observing or waiting; the lock is taken briefly at the
end, and only when the observed states differ from the recorded ones.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Sequence

from reconciler.commands._common import DEFAULT_LOCK_TIMEOUT
from reconciler.commands._status_previews import PreviewMaker
from reconciler.commands._status_progress import WaitProgress
from reconciler.commands._status_table import problem_line, render_json, render_table
from reconciler.environment import Environment
from reconciler.errors import ExitStatus, ReconcilerError, UsageError
from reconciler.metastudio import MetaStudioClient
from reconciler.operations.observations import record_observations
from reconciler.operations.workspace import Workspace
from reconciler.plan.planner import matches
from reconciler.state import LockError, State
from reconciler.status import VoiceStatus, WaitTimeout, collect, wait

POLL_SECONDS = 5.0
MAX_POLL_SECONDS = 60.0


def select_names(workspace: Workspace, state: State, targets: Sequence[str]) -> list[str]:
    """Voices in the configuration or the state, narrowed by --target patterns."""
    names = sorted(set(workspace.config.voices) | set(state.voices))
    if not targets:
        return names
    for pattern in targets:
        if not any(matches(f"voice.{n}", (pattern,)) for n in names):
            raise UsageError(f"--target {pattern}: matches no voice in the configuration or state")
    return [n for n in names if matches(f"voice.{n}", tuple(targets))]


def _show(
    env: Environment,
    workspace: Workspace,
    statuses: list[VoiceStatus],
    output: str,
    previews: PreviewMaker,
) -> None:
    configured = workspace.config.voices
    if output == "json":
        env.out(render_json(statuses, configured, previews.paths_by_name()))
    else:
        env.out(render_table(statuses, configured, previews.notes()))


def _record(
    env: Environment, workspace: Workspace, statuses: list[VoiceStatus], lock_timeout: float
) -> None:
    try:
        record_observations(workspace.backend, statuses, lock_timeout, clock=env.clock)
    except LockError as error:
        # The observations only refresh a cache; a busy lock must not fail the command.
        env.err(f"warning: the observed states were not recorded in the state file: {error}")


def report_once(
    workspace: Workspace,
    client: MetaStudioClient,
    names: Collection[str],
    env: Environment,
    *,
    output: str = "text",
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
) -> int:
    """Observe once and print; making previews is left to --wait, as they may cost money."""
    statuses = collect(client, workspace.backend.read(), names)
    previews = PreviewMaker(workspace, client, env.cwd, make=False)
    previews.look(statuses)
    _show(env, workspace, statuses, output, previews)
    _record(env, workspace, statuses, lock_timeout)
    return int(ExitStatus.OK)


def wait_and_report(
    workspace: Workspace,
    client: MetaStudioClient,
    names: Collection[str] | None,
    env: Environment,
    timeout: float | None,
    *,
    output: str = "text",
    previews: bool = True,
    poll: float = POLL_SECONDS,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Wait until every voice in ``names`` (None: config and state) is settled, then report.

    Progress goes to stdout, or to stderr when ``output`` is json so stdout stays parseable.
    Previews are made for voices with `preview.text` as they succeed. Returns 0 when every
    voice SUCCEED (and its preview, if any, is there), else 1 with the reasons on stderr.
    The caller must not hold the state lock: it is taken briefly to record what was seen.
    """
    if names is None:
        names = select_names(workspace, workspace.backend.read(), ())
    progress = WaitProgress(env.stderr if output == "json" else env.stdout)
    maker = PreviewMaker(workspace, client, env.cwd, make=previews, say=progress.line)

    def on_update(statuses: list[VoiceStatus]) -> None:
        progress.update(statuses)
        maker.look(statuses)

    def on_error(error: ReconcilerError) -> None:
        progress.line(f"warning: polling failed, trying again: {error}")

    timed_out: WaitTimeout | None = None
    try:
        statuses = wait(
            client,
            workspace.backend.read,
            names,
            on_update=on_update,
            poll=poll,
            max_poll=max(poll, MAX_POLL_SECONDS),
            timeout=timeout,
            sleep=sleep,
            on_error=on_error,
        )
    except WaitTimeout as error:
        timed_out, statuses = error, error.statuses
    finally:
        progress.close()
    if output == "text":
        env.out()
    _show(env, workspace, statuses, output, maker)
    _record(env, workspace, statuses, lock_timeout)
    return _verdict(env, statuses, maker, timed_out)


def _verdict(
    env: Environment,
    statuses: list[VoiceStatus],
    maker: PreviewMaker,
    timed_out: WaitTimeout | None,
) -> int:
    problems = [problem_line(s) for s in statuses if s.failed]
    problems += maker.failures()
    if timed_out is not None:
        problems.append(str(timed_out))
    for problem in problems:
        env.err(f"Error: {problem}")
    return int(ExitStatus.ERROR if problems else ExitStatus.OK)
