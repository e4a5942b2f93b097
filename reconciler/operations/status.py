"""status and the wait after apply: observe the voices' jobs, once or until they settle.

Nothing here holds the state lock while observing or waiting; it is taken briefly at the
end, and only when the observed states differ from the recorded ones.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from reconciler.addresses import address_of, matches
from reconciler.defaults import STATUS_POLL_SECONDS
from reconciler.errors import ReconcilerError, UsageError
from reconciler.metastudio import MetaStudioClient
from reconciler.operations.observations import record_observations
from reconciler.operations.preview import PreviewMaker
from reconciler.operations.workspace import Workspace
from reconciler.state import LockError, State
from reconciler.status import VoiceStatus, WaitTimeout, check_assets, collect, wait

POLL_SECONDS = STATUS_POLL_SECONDS
MAX_POLL_SECONDS = 60.0


@dataclass(frozen=True)
class WaitRequest:
    timeout: float | None = None
    poll: float = POLL_SECONDS
    previews: bool = True  # make the previews asked for in the configuration
    lock_timeout: float = 0.0


@dataclass(frozen=True)
class StatusReport:
    statuses: list[VoiceStatus]
    previews: PreviewMaker
    timed_out: WaitTimeout | None = None
    not_recorded: str | None = None  # why the observed states did not reach the state


def select_names(workspace: Workspace, state: State, targets: Sequence[str]) -> list[str]:
    """Voices in the configuration or the state, narrowed by --target patterns."""
    names = sorted(set(workspace.config.voices) | set(state.voices))
    if not targets:
        return names
    for pattern in targets:
        if not any(matches(address_of(n), (pattern,)) for n in names):
            raise UsageError(f"--target {pattern}: matches no voice in the configuration or state")
    return [n for n in names if matches(address_of(n), tuple(targets))]


def _record(workspace: Workspace, statuses: list[VoiceStatus], lock_timeout: float) -> str | None:
    try:
        record_observations(workspace.backend, statuses, lock_timeout, on_wait=workspace.lock_waits)
    except LockError as error:
        # The observations only refresh a cache; a busy lock must not fail the command.
        return str(error)
    return None


def observe(
    workspace: Workspace,
    client: MetaStudioClient,
    names: Collection[str],
    *,
    cwd: Path,
    lock_timeout: float = 0.0,
) -> StatusReport:
    """Observe once, confirming trained voices' assets; making previews is left to waiting,
    as they may cost money."""
    statuses = check_assets(client, collect(client, workspace.backend.read(), names))
    previews = PreviewMaker(workspace, client, cwd, make=False)
    previews.look(statuses)
    return StatusReport(statuses, previews, not_recorded=_record(workspace, statuses, lock_timeout))


def wait_for(
    workspace: Workspace,
    client: MetaStudioClient,
    names: Collection[str] | None,
    request: WaitRequest,
    *,
    cwd: Path,
    on_update: Callable[[list[VoiceStatus]], None],
    say: Callable[[str], None],
    sleep: Callable[[float], None] = time.sleep,
) -> StatusReport:
    """Wait until every voice in ``names`` (None: config and state) is settled.

    Previews are made for voices with `preview.text` as they succeed. The caller must not
    hold the state lock: it is taken briefly to record what was seen.
    """
    if names is None:
        names = select_names(workspace, workspace.backend.read(), ())
    maker = PreviewMaker(workspace, client, cwd, make=request.previews, say=say)

    def updated(statuses: list[VoiceStatus]) -> None:
        on_update(statuses)
        maker.look(statuses)

    def on_error(error: ReconcilerError) -> None:
        say(f"warning: polling failed, trying again: {error}")

    timed_out: WaitTimeout | None = None
    try:
        statuses = wait(
            client,
            workspace.backend.read,
            names,
            on_update=updated,
            poll=request.poll,
            max_poll=max(request.poll, MAX_POLL_SECONDS),
            timeout=request.timeout,
            sleep=sleep,
            on_error=on_error,
        )
    except WaitTimeout as error:
        timed_out, statuses = error, error.statuses
    try:
        statuses = check_assets(client, statuses)
    except ReconcilerError as error:  # the wait's answer stands; only the check is missing
        say(f"warning: could not check the trained voices' assets: {error}")
    not_recorded = _record(workspace, statuses, request.lock_timeout)
    return StatusReport(statuses, maker, timed_out, not_recorded)
