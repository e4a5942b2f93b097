"""`apply --json` and `destroy --json`: the apply operation told as Terraform's UI stream.

One object is the executor's Reporter (hooks per voice, from worker threads), the apply
operation's ApplyListener (the plan, the outcome) and what `apply --wait` shows while
waiting for training: views.apply.ApplyView.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Collection, Sequence

from reconciler.config.diagnostics import Diagnostic
from reconciler.errors import ExitStatus, UsageError
from reconciler.operations.apply import ApplyListener, ApplyRun
from reconciler.operations.status import StatusReport
from reconciler.plan.model import Action, Plan, ResourceChange
from reconciler.status import VoiceStatus
from reconciler.views import ui_messages as ui
from reconciler.views.status import final_statuses, tell_problems
from reconciler.views.stream import JsonStream, JsonView

# Upload progress is sent when it crosses each of these fractions, not for every block.
UPLOAD_STEPS = 10


class ApplyJson(JsonView, ApplyListener):
    def __init__(self, stream: JsonStream, operation: str, *, auto_approve: bool) -> None:
        super().__init__(stream)
        self.operation = operation
        self.auto_approve = auto_approve
        self.code = int(ExitStatus.OK)
        self.warn: Callable[[Diagnostic], None] | None = stream.warn
        self._clock = stream.env.clock
        self._lock = threading.Lock()
        self._changes: dict[str, ResourceChange] = {}
        self._started: dict[str, float] = {}
        self._uploads: dict[tuple[str, str], list[int]] = {}  # done, total, last step sent
        self._training: dict[str, str | None] = {}

    def begin(self, saved: Plan | None) -> None:
        if saved is None and not self.auto_approve:
            raise UsageError(
                f"{self.operation} --json cannot ask for approval",
                hint="review the plan, then add --auto-approve, or apply a saved plan file",
            )
        if saved is not None:
            self._know(saved)

    def _know(self, plan: Plan) -> None:
        self._changes = {c.address: c for c in plan.changes}

    def _action(self, address: str) -> str:
        change = self._changes.get(address)
        return ui.ACTIONS[change.action] if change is not None else "update"

    def _elapsed(self, address: str) -> float:
        return self._clock() - self._started.get(address, self._clock())

    # -- ApplyListener ----------------------------------------------------------------------

    def approve(self, plan: Plan) -> None:
        self._know(plan)
        self.stream.plan(plan)  # approval itself was given by --auto-approve

    def applied(self, run: ApplyRun) -> None:
        result = run.result
        for outcome in result.failed:
            severity = "warning" if outcome.interrupted else "error"
            what = "Stopped" if outcome.interrupted else "Failed"
            summary = f"{what} to {outcome.action.value} {outcome.address}"
            self.stream.emit(
                ui.diagnostic(severity, summary, outcome.detail, address=outcome.address)
            )
        counts = Counter(o.result.value for o in result.outcomes if o.ok)
        self.stream.emit(ui.applied_summary(dict(counts), self.operation))
        if result.interrupted:
            self.code = int(ExitStatus.INTERRUPTED)
        elif result.failed:
            self.code = int(ExitStatus.ERROR)

    def waiting(self, statuses: Sequence[VoiceStatus]) -> None:
        for status in statuses:
            if self._training.get(status.address, "") == status.state:
                continue
            self._training[status.address] = status.state
            training = {"job_id": status.job_id, "state": status.state}
            self.stream.emit(
                ui.apply_progress(
                    status.address,
                    self._action(status.address),
                    self._elapsed(status.address),
                    reconciler_training=training,
                )
            )

    def waited(self, report: StatusReport, configured: Collection[str]) -> int:
        final_statuses(self.stream, report, configured)
        return tell_problems(self.stream, report)

    # -- Reporter ---------------------------------------------------------------------------

    def change_started(self, address: str) -> None:
        change = self._changes.get(address)
        if change is None or self._silent(address):
            return
        self._started[address] = self._clock()
        job_id = (change.before or {}).get("job_id")
        self.stream.emit(ui.apply_start(address, self._action(address), job_id if job_id else None))

    def change_finished(self, address: str, ok: bool, job_id: str | None) -> None:
        if self._silent(address):
            return
        action, elapsed = self._action(address), self._elapsed(address)
        if ok:
            self.stream.emit(ui.apply_complete(address, action, elapsed, job_id))
        else:
            self.stream.emit(ui.apply_errored(address, action, elapsed))

    def _silent(self, address: str) -> bool:
        """No hooks for what makes no MetaStudio call (a no-op, a move alone, a forget):
        Terraform's apply hooks are for changes to remote objects."""
        change = self._changes.get(address)
        return change is None or change.action in (Action.NOOP, Action.FORGET)

    def step(self, address: str, message: str) -> None:
        if self._silent(address) and address in self._changes:
            return
        self.stream.emit(
            ui.apply_progress(
                address, self._action(address), self._elapsed(address), reconciler_step=message
            )
        )

    def _upload(self, address: str, label: str, done: int, total: int) -> None:
        upload = {"label": label, "bytes_done": done, "bytes_total": total}
        self.stream.emit(
            ui.apply_progress(
                address, self._action(address), self._elapsed(address), reconciler_upload=upload
            )
        )

    def upload_started(self, address: str, label: str, total_bytes: int) -> None:
        with self._lock:
            self._uploads[(address, label)] = [0, total_bytes, 0]
        self._upload(address, label, 0, total_bytes)

    def upload_progress(self, address: str, label: str, delta_bytes: int) -> None:
        with self._lock:
            upload = self._uploads.get((address, label))
            if upload is None:
                return
            upload[0] += delta_bytes
            done, total, sent = upload
            step = done * UPLOAD_STEPS // total if total else UPLOAD_STEPS
            if step <= sent or done >= total:
                return  # the finish is sent by upload_finished
            upload[2] = step
        self._upload(address, label, done, total)

    def upload_finished(self, address: str, label: str) -> None:
        with self._lock:
            upload = self._uploads.pop((address, label), None)
        total = upload[1] if upload else 0
        self._upload(address, label, total, total)
