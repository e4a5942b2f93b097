"""Config + state (+ remote) -> Plan: the one sequence plan, apply and destroy all use."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass

from reconciler.addresses import address_of, matches
from reconciler.data.checks import DurationLimits, tenant_duration_limits
from reconciler.metastudio import MetaStudioClient, MetaStudioError
from reconciler.operations.asset_names import live_assets_named
from reconciler.operations.config_moves import config_moves, config_removals
from reconciler.operations.desired import config_digest, desired_voices
from reconciler.operations.head_start import HeadStart
from reconciler.operations.locking import state_lock
from reconciler.operations.workspace import Workspace
from reconciler.plan import restore
from reconciler.plan.clashes import name_clashes, published_names
from reconciler.plan.inputs import DesiredVoice, Observed
from reconciler.plan.model import Plan
from reconciler.plan.moves import Moved, resolve_moves
from reconciler.plan.planner import PlanError, PlanOptions, make_plan
from reconciler.plan.resources import resource_needs
from reconciler.refresh import EarlyListing, refresh
from reconciler.state import State, VoiceRecord

# The data preflight, given the tenant's duration limits when MetaStudio could be asked,
# of the voices named (None: every voice).
LocalChecks = Callable[[Mapping[str, DurationLimits] | None, Collection[str] | None], None]


def tenant_durations(client: MetaStudioClient) -> Mapping[str, DurationLimits] | None:
    """The seconds of audio each edition accepts for this tenant (op 17), or None (the
    documented defaults) when the service will not say."""
    try:
        return tenant_duration_limits(client.show_tenant_duration_cfg())
    except MetaStudioError:
        return None


@dataclass(frozen=True)
class PlanRequest:
    targets: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()  # --exclude: these voices are neither planned nor read
    replace: tuple[str, ...] = ()
    destroy: bool = False
    scope: frozenset[str] | None = None  # exactly these voices (PlanOptions.scope)


@dataclass(frozen=True)
class PreparedPlan:
    plan: Plan
    desired: dict[str, DesiredVoice]


def _in_scope(name: str, request: PlanRequest, previous: Mapping[str, str] | None = None) -> bool:
    """``previous``: a moved voice is in scope if its old address is targeted too."""
    if request.scope is not None and name not in request.scope:
        return False
    old = (previous or {}).get(name)
    names = (name,) if old is None else (name, old)
    if request.excludes and any(matches(address_of(n), request.excludes) for n in names):
        return False  # a move is held back if either of its addresses is excluded
    return not request.targets or any(matches(address_of(n), request.targets) for n in names)


def _records_in_scope(moved: Moved, request: PlanRequest) -> Iterator[tuple[str, VoiceRecord]]:
    """The state's records the plan covers (with the moves made), decoding no other (a scope
    is a few voices)."""
    state = moved.state
    if request.scope is None:
        items: Iterable[tuple[str, VoiceRecord]] = state.voices.items()
    else:
        items = ((n, state.voices[n]) for n in sorted(request.scope) if n in state.voices)
    return ((n, r) for n, r in items if _in_scope(n, request, moved.previous))


def build_plan(
    workspace: Workspace,
    state: State,
    client: MetaStudioClient | None,
    request: PlanRequest,
    created_at: str,
    *,
    local_checks: LocalChecks | None = None,
    early: EarlyListing | None = None,
) -> PreparedPlan:
    """``client`` None plans from config and state alone (--refresh=false).

    The refresh needs only the state and the voice names, so it runs in the background while
    ``local_checks`` (the data preflight) and the digests are computed; ``early`` is the part
    of it that could start before the state was read.
    """
    moved = resolve_moves(config_moves(workspace.config), state, workspace.config.voices)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="refresh") as pool:
        observing = (
            pool.submit(_observe, client, moved, workspace, request, early) if client else None
        )
        try:
            if local_checks is not None:
                local_checks(tenant_durations(client) if client else None, None)
            # Before the specs: data that changes in between makes the saved plan stale at
            # apply rather than bind it to data it was not made from.
            digest = config_digest(workspace.config, workspace.cache)
            desired = desired_voices(
                workspace.config, workspace.cache, state.lineage, request.scope
            )
        except BaseException:
            if observing is not None:
                observing.cancel()
            raise
        observed = observing.result() if observing is not None else None
    options = PlanOptions(
        targets=request.targets,
        excludes=request.excludes,
        replace=request.replace,
        destroy=request.destroy,
        config_digest=digest,
        created_at=created_at,
        scope=request.scope,
        previous=moved.previous,
        removed=config_removals(workspace.config),
    )
    plan = make_plan(desired, moved.state, observed, options)
    plan = _offer_restores(plan, moved.state, client)
    if client is not None:
        _refuse_name_clashes(plan, moved.state, client)
    return PreparedPlan(_with_resources(plan, observed, client), desired)


def _offer_restores(plan: Plan, state: State, client: MetaStudioClient | None) -> Plan:
    """Creates whose model is in the recycle bin become restores, once one show per
    candidate asset confirms it (plan/restore.py); the others say why not."""
    if not state.deleted_assets:
        return plan
    found = restore.candidates(plan, state)
    if client is None or not found:
        return restore.offered(plan, state, None if client is None else {}, None)
    seen = {a.asset_id: _asset_state(client, a.asset_id) for a in found.values()}
    live = live_assets_named(client, {a.voice_name for a in found.values()})
    return restore.offered(plan, state, seen, live)


def _asset_state(client: MetaStudioClient, asset_id: str) -> str | None:
    """The asset's state, or None when MetaStudio no longer has it (purged)."""
    try:
        return client.show_asset(asset_id).asset_state
    except MetaStudioError as error:
        if error.status == 400 or error.status == 404:
            return None
        raise


def _refuse_name_clashes(plan: Plan, state: State, client: MetaStudioClient) -> None:
    """Before any money is spent: a new job whose model the asset library would refuse."""
    names = published_names(plan)
    if names:
        problems = name_clashes(plan, state, live_assets_named(client, names))
        if problems:
            raise PlanError(problems)


def _with_resources(plan: Plan, observed: Observed | None, client: MetaStudioClient | None) -> Plan:
    """The resources the plan consumes against those left. Refresh reads the quotas when a
    voice is evidently new or unsubmitted; a plan that needs some otherwise (a replace)
    reads them here, so a plan that consumes nothing costs no call."""
    available = observed.training_resources if observed is not None else None
    needs = resource_needs(plan.changes, available)
    if needs and available is None and client is not None:
        available = client.show_voice_training_quotas().available
        needs = resource_needs(plan.changes, available)
    return dataclasses.replace(plan, resources=needs)


def _observe(
    client: MetaStudioClient,
    moved: Moved,
    workspace: Workspace,
    request: PlanRequest,
    early: EarlyListing | None,
) -> Observed:
    voices, state = workspace.config.voices, moved.state
    records = list(_records_in_scope(moved, request))
    ids = [r.job_id for _, r in records if r.job_id]
    configured = voices if request.scope is None else sorted(request.scope & set(voices))
    names = [
        voices[n].voice_name
        for n in configured
        if _in_scope(n, request) and (n not in state.voices or not state.voices[n].job_id)
    ]
    names += [str(r.create_attempt["voice_name"]) for _, r in records if r.create_attempt]
    observed = refresh(client, ids, names, early=early)
    if request.destroy or not _may_submit(workspace, state, request):
        return observed
    quotas = client.show_voice_training_quotas()
    return dataclasses.replace(observed, training_resources=quotas.available)


def _may_submit(workspace: Workspace, state: State, request: PlanRequest) -> bool:
    """A configured voice never submitted: the plan will likely consume a resource."""
    return any(
        name not in state.voices or not _trained_or_submitted(state.voices[name])
        for name in workspace.config.voices
        if _in_scope(name, request)
    )


def _trained_or_submitted(record: VoiceRecord) -> bool:
    return record.phase == "submitted" or record.restored_at is not None


def plan_under_lock(
    workspace: Workspace,
    request: PlanRequest,
    *,
    refresh: bool,
    lock_timeout: float,
    operation: str,
    created_at: str,
    local_checks: LocalChecks | None = None,
    started: HeadStart | None = None,
) -> PreparedPlan:
    """Plan while holding the state lock when refreshing (the remote side is being read).

    ``started``: the lock, state and listing taken while the config was loaded, used if it
    began and the config agrees with the head it began from."""
    begun = started.take(workspace.config) if started is not None and refresh else None
    if begun is not None:
        return build_plan(
            workspace,
            begun[0],
            begun[1],
            request,
            created_at,
            local_checks=local_checks,
            early=begun[2],
        )
    with ExitStack() as stack:
        if refresh:
            stack.enter_context(
                state_lock(workspace.backend, operation, lock_timeout, workspace.lock_waits)
            )
        client = stack.enter_context(workspace.client()) if refresh else None
        early = None
        if client is not None:
            # Every voice in scope costs a lookup at least: if even that beats listing, the
            # listing starts now and the state is decoded meanwhile (seconds at 100,000).
            least = sum(_in_scope(name, request) for name in workspace.config.voices)
            early = stack.enter_context(EarlyListing(client, least))
        state = workspace.backend.read()
        return build_plan(
            workspace, state, client, request, created_at, local_checks=local_checks, early=early
        )
