"""A plan's remote part begun while its configuration is still being loaded.

Cold, a large configuration takes about as long to parse, validate and assemble as the
refresh spends waiting on the rate limiter to list its jobs; the listing needs only the
provider, the credentials and the state, which a configuration's head gives
(config/head.py). So the lock is taken and, in a thread, the credentials resolved, the
state read and the listing begun, while the caller loads the configuration.

What a run reports does not change: a configuration error is raised by the caller first
(the thread is stopped and joined, the lock released); an error of the thread (credentials,
state, the first page) is raised when the plan takes its results, after the configuration
loaded, as it would have come then. A busy lock is not waited for here: the plan then
takes it after the configuration, with its usual wait and messages.
"""

from __future__ import annotations

import threading
from contextlib import ExitStack
from types import TracebackType

from reconciler.config import Config
from reconciler.config.head import same_head
from reconciler.metastudio import MetaStudioClient
from reconciler.operations.locking import state_lock
from reconciler.operations.workspace import Workspace
from reconciler.refresh import EarlyListing
from reconciler.state import State

Begun = tuple[State, MetaStudioClient, EarlyListing]


class HeadStart:
    """``whole``: the plan covers every voice (no target, exclusion or scope), so each
    recorded job costs at least one lookup and the state alone tells whether listing is
    cheaper. Otherwise only the state is read early and the refresh decides as always."""

    def __init__(self, head: Workspace | None, *, whole: bool, operation: str) -> None:
        self._head = head
        self._whole = whole
        self._operation = operation
        self._stack = ExitStack()
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()  # the thread has begun, or failed
        self._release = threading.Event()  # the plan is done with what the thread holds
        self._begun: Begun | None = None
        self._error: BaseException | None = None

    def __enter__(self) -> HeadStart:
        head = self._head
        if head is None:
            return self
        try:
            self._stack.enter_context(state_lock(head.backend, self._operation, 0))
        except Exception:
            # Busy, or unreachable: taken (and any error reported) after the config, as before.
            return self
        self._thread = threading.Thread(target=self._run, args=(head,), name="head-start")
        self._thread.start()
        return self

    def _run(self, head: Workspace) -> None:
        try:
            with head.client() as client:
                state = head.backend.read()
                if self._release.is_set():
                    return  # the config failed meanwhile: ask nothing
                lookups = _RecordedJobs(state) if self._whole else 0
                with EarlyListing(client, lookups) as early:
                    self._begun = (state, client, early)
                    self._ready.set()
                    if isinstance(lookups, _RecordedJobs):
                        # The plan of every voice reads every record: meanwhile the config's
                        # workers leave this process idle.
                        lookups.decode_rest(self._release)
                    self._release.wait()
        except BaseException as error:  # raised in the caller's thread by take()
            self._error = error
        finally:
            self._ready.set()

    def take(self, config: Config) -> Begun | None:
        """The state, the client and the listing begun, for the plan of ``config``; None
        when nothing was begun or ``config`` does not keep its state or talk to the
        service as its head said (then everything begun is given up)."""
        if self._thread is None or self._head is None:
            return None
        if not same_head(self._head.config, config):
            self.close()
            return None
        self._ready.wait()
        if self._error is not None:
            raise self._error
        return self._begun

    def close(self) -> None:
        """Stop the listing, wait for the thread, release the lock."""
        self._release.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self._stack.close()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class _RecordedJobs:
    """Whether the state records at least so many distinct jobs: each costs a lookup. The
    records are decoded only as far as the answer needs (about as many as the listing has
    pages), so the listing does not wait for a 100,000-record state to be decoded."""

    def __init__(self, state: State) -> None:
        self._records = iter(state.voices.values())
        self._ids: set[str] = set()

    def __call__(self, count: int) -> bool:
        while len(self._ids) < count:
            record = next(self._records, None)
            if record is None:
                return False
            if record.job_id:
                self._ids.add(record.job_id)
        return True

    def decode_rest(self, stop: threading.Event) -> None:
        for _ in self._records:
            if stop.is_set():
                return
