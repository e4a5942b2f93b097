"""What `apply` and `destroy` show and ask: one interface, a text and a JSON implementation,
chosen once in the verb module from its flags."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Protocol

from reconciler.apply.outcome import ApplyResult, Result
from reconciler.config.diagnostics import Diagnostic
from reconciler.environment import Environment
from reconciler.errors import ExitStatus, UsageError
from reconciler.operations.apply import ApplyListener, ApplyRun
from reconciler.operations.status import StatusReport
from reconciler.plan.model import Action, Plan
from reconciler.printable import printable
from reconciler.status import VoiceStatus
from reconciler.views.apply_json import ApplyJson
from reconciler.views.apply_progress import TerminalReporter
from reconciler.views.plan_text import render_text
from reconciler.views.status import StatusText
from reconciler.views.stream import json_stream


class ApplyView(Protocol):
    """The executor's Reporter and the apply operation's ApplyListener, then the wait."""

    code: int  # the exit status once applied
    warn: Callable[[Diagnostic], None] | None  # the data preflight's warnings (None: stderr)

    def begin(self, saved: Plan | None) -> None:
        """Before any work, told the saved plan being applied: refuse what it cannot do."""

    def fail(self, error: BaseException, text: str) -> None: ...

    # Reporter, called from the executor's worker threads
    def step(self, address: str, message: str) -> None: ...
    def upload_started(self, address: str, label: str, total_bytes: int) -> None: ...
    def upload_progress(self, address: str, label: str, delta_bytes: int) -> None: ...
    def upload_finished(self, address: str, label: str) -> None: ...
    def change_started(self, address: str) -> None: ...
    def change_finished(self, address: str, ok: bool, job_id: str | None) -> None: ...

    # ApplyListener
    def approve(self, plan: Plan) -> None: ...
    def applied(self, run: ApplyRun) -> None: ...

    # apply --wait
    def waiting(self, statuses: Sequence[VoiceStatus]) -> None: ...
    def say(self, line: str) -> None: ...
    def waited(self, report: StatusReport, configured: Collection[str]) -> int: ...

    def close(self) -> None:
        """The run ended, well or not."""


def apply_view(
    env: Environment,
    operation: str,
    *,
    json: bool,
    auto_approve: bool,
    color: bool,
    wait: bool = False,
) -> ApplyView:
    """``operation`` is "apply" or "destroy"; ``wait``: apply --wait."""
    if json:
        return ApplyJson(json_stream(env), operation, auto_approve=auto_approve)
    return ApplyText(env, operation, color=color, auto_approve=auto_approve, wait=wait)


class ApplyText(TerminalReporter, ApplyListener):
    def __init__(
        self, env: Environment, operation: str, *, color: bool, auto_approve: bool, wait: bool
    ) -> None:
        super().__init__(env)
        self.env = env
        self.operation = operation
        self.color = color
        self.auto_approve = auto_approve
        self.wait = wait
        self.code = int(ExitStatus.OK)
        self.warn: Callable[[Diagnostic], None] | None = None
        self._status = StatusText(env)

    def begin(self, saved: Plan | None) -> None:
        pass  # approval is asked for when the plan is made

    def fail(self, error: BaseException, text: str) -> None:
        self.env.err(printable(text))

    def approve(self, plan: Plan) -> None:
        self.env.out(render_text(plan, color=self.color))
        if plan.has_changes:
            self.env.out()
            verb = "destroy these voices" if plan.destroy else "perform these actions"
            confirm(
                self.env,
                f"Do you want to {verb}?",
                auto_approve=self.auto_approve,
                what=self.operation,
            )

    def applied(self, run: ApplyRun) -> None:
        self.code = summarise(run.result, self.env, self.operation, destroy=run.plan.destroy)
        if self.code == ExitStatus.OK and self.wait:
            self.env.out()  # the lock is released before waiting: other runs may plan

    def waiting(self, statuses: Sequence[VoiceStatus]) -> None:
        self._status.waiting(statuses, ())

    def say(self, line: str) -> None:
        self._status.say(line)

    def waited(self, report: StatusReport, configured: Collection[str]) -> int:
        return self._status.waited(report, configured)

    def close(self) -> None:
        super().close()
        self._status.close()


def confirm(env: Environment, question: str, *, auto_approve: bool, what: str) -> None:
    """Ask for exactly 'yes'; without a terminal and without --auto-approve, refuse."""
    if auto_approve:
        return
    if not env.stdin_is_tty:
        raise UsageError(
            f"refusing to {what} without confirmation: stdin is not a terminal",
            hint="review the plan and rerun with --auto-approve, or apply a saved plan file",
        )
    env.stdout.write(f"{question}\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ")
    env.stdout.flush()
    if env.stdin.readline().strip() != "yes":
        raise UsageError(f"{what} cancelled")


def summarise(result: ApplyResult, env: Environment, operation: str, *, destroy: bool) -> int:
    changed = [
        o for o in result.outcomes if o.action is not Action.NOOP or o.result is Result.MOVED
    ]
    if not changed and not result.failed:
        env.out(f"No changes. Nothing was {'destroyed' if destroy else 'applied'}.")
        return int(ExitStatus.OK)
    # A destroy plan only ever destroys: the other counts would all be zero.
    kinds = (
        (Result.DESTROYED,)
        if destroy
        else (Result.CREATED, Result.UPDATED, Result.REPLACED, Result.DESTROYED)
    )
    if result.count(Result.RESTORED):
        kinds = (Result.RESTORED, *kinds)
    # Moves and forgets are named only when there are some.
    rare = [kind for kind in (Result.MOVED, Result.FORGOTTEN) if result.count(kind)]
    counts = ", ".join(f"{result.count(kind)} {kind.value}" for kind in (*kinds, *rare))
    title = "Destroy" if destroy else "Apply"
    # A voice stopped by Ctrl-C or SIGTERM did nothing wrong: it is counted apart, and the
    # next apply finishes it.
    failed = [o for o in result.failed if not o.interrupted]
    stopped = result.stopped
    if failed:
        counts += f", {len(failed)} failed"
    if stopped:
        counts += f", {len(stopped)} stopped"
    if failed:
        env.out(f"\n{title} finished with errors: {counts}.")
    elif stopped:
        env.out(f"\n{title} stopped: {counts}.")
    else:
        env.out(f"\n{title} complete: {counts}.")
    for outcome in (*failed, *stopped):
        env.err(f"  {outcome.address} ({outcome.action.value}): {outcome.detail}")
    if result.interrupted:
        env.err(
            "Interrupted: every finished step is recorded in the state; run "
            f"{operation} again to continue where it stopped."
        )
        return int(ExitStatus.INTERRUPTED)
    return int(ExitStatus.ERROR if result.failed else ExitStatus.OK)
