"""The pure planner: (desired, state, observed) -> Plan. No I/O, no clock, no randomness."""

from __future__ import annotations

import dataclasses
import fnmatch
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field

from reconciler.addresses import address_of, matches
from reconciler.errors import ReconcilerError
from reconciler.plan.decide import (
    decide_forget,
    decide_interrupted_create,
    decide_new,
    decide_recorded,
    decide_removed,
    decide_restored,
)
from reconciler.plan.forgetting import unsettled
from reconciler.plan.inputs import DesiredVoice, Observed, ObservedJob
from reconciler.plan.model import Action, Plan, ResourceChange
from reconciler.plan.renames import with_rename_hints
from reconciler.plan.steps import planned
from reconciler.state.model import State


class PlanError(ReconcilerError):
    """The plan cannot be made safely; every reason is listed, one per line."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class PlanOptions:
    targets: tuple[str, ...] = ()  # addresses or globs: voice.news-*
    excludes: tuple[str, ...] = ()  # --exclude: never planned, even when targeted
    replace: tuple[str, ...] = ()
    destroy: bool = False
    config_digest: str = ""
    created_at: str = ""
    # Exactly these voices, when set: apply verifying a saved plan plans again only the voices
    # the file changes, at a cost that follows them and not the catalogue.
    scope: frozenset[str] | None = None
    # `moved` entries the state calls for, new name -> old name: ``make_plan`` is given the
    # state with them made (plan/moves.py), and each such change names its previous address.
    previous: Mapping[str, str] = field(default_factory=dict)
    # `removed` entries, name -> destroy: without destroy, the voice is forgotten.
    removed: Mapping[str, bool] = field(default_factory=dict)

    def targeted(self, name: str) -> bool:
        """Targeted and not excluded; a moved voice is targeted if either its new or its old
        address is, and held back if either is excluded."""
        old = self.previous.get(name)
        addresses = (address_of(name),) if old is None else (address_of(name), address_of(old))
        if self.excludes and any(matches(a, self.excludes) for a in addresses):
            return False
        return not self.targets or any(matches(a, self.targets) for a in addresses)


class RecordedJobs(Collection[str]):
    """The job IDs the state records, gathered on the first question: a plan asks only when
    MetaStudio lists a job of a voice's name, and gathering decodes every record."""

    def __init__(self, state: State) -> None:
        self._state = state
        self._ids: set[str] | None = None

    def _all(self) -> set[str]:
        if self._ids is None:
            self._ids = {r.job_id for r in self._state.voices.values() if r.job_id}
        return self._ids

    def __contains__(self, job_id: object) -> bool:
        return job_id in self._all()

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


def _names(desired: Mapping[str, DesiredVoice], state: State, options: PlanOptions) -> list[str]:
    if options.scope is not None:
        names = sorted(n for n in options.scope if n in desired or n in state.voices)
    else:
        names = sorted(set(desired) | set(state.voices))
    return [n for n in names if options.targeted(n)]


def make_plan(
    desired: Mapping[str, DesiredVoice],
    state: State,
    observed: Observed | None,
    options: PlanOptions,
) -> Plan:
    problems = _check_options(desired, state, options)
    names = _names(desired, state, options)
    known_ids = RecordedJobs(state)
    changes: list[ResourceChange] = []
    for name in names:
        want = None if options.destroy else desired.get(name)
        record = state.voices.get(name)
        forced = matches(address_of(name), options.replace)
        if record is None:
            if want is not None:
                changes.append(decide_new(want))
        elif want is None and options.removed.get(name) is False:
            # Forgotten even by a destroy plan: the configuration says to keep the job.
            changes.append(decide_forget(record, observed))
        elif want is None:
            changes.append(decide_removed(record, observed, options.destroy, known_ids))
        elif record.restored_at is not None:
            changes.append(decide_restored(want, record, forced=forced))
        elif record.job_id is None:
            changes.append(decide_interrupted_create(want, record, observed, known_ids))
        else:
            changes.append(decide_recorded(want, record, observed, forced=forced))
    problems += _guard_forget(changes, state)
    problems += _guard_prevent_destroy(changes, desired)
    problems += _guard_duplicates(changes, desired, observed, known_ids)
    changes = _note_orphans(changes, desired, observed, known_ids)
    if problems:
        raise PlanError(problems)
    changes = _with_previous(with_rename_hints(changes), options.previous)
    changes = [
        planned(
            c,
            state.voices.get(c.name),
            None if options.destroy else desired.get(c.name),
            keep_asset=_keeps_asset(c, desired),
            prevent_destroy=_prevents_destroy(c, desired),
        )
        for c in changes
    ]
    return Plan(
        changes=tuple(changes),
        state_serial=state.serial,
        state_lineage=state.lineage,
        config_digest=options.config_digest,
        refreshed=observed is not None,
        destroy=options.destroy,
        targets=options.targets,
        excludes=options.excludes,
        replace=options.replace,
        created_at=options.created_at,
    )


def _check_options(
    desired: Mapping[str, DesiredVoice], state: State, options: PlanOptions
) -> list[str]:
    problems = []
    # A scoped plan (apply verifying a saved plan) sees only some voices: its --exclude was
    # checked against all of them when the plan was made.
    excludes = options.excludes if options.scope is None else ()
    patterns = options.targets or options.replace or excludes
    known = set(desired) | set(state.voices) | set(options.previous.values())
    addresses = [address_of(n) for n in known] if patterns else []
    checked = (
        ("--target", options.targets),
        ("--exclude", excludes),
        ("--replace", options.replace),
    )
    for flag, patterns in checked:
        for pattern in patterns:
            if not any(fnmatch.fnmatchcase(a, pattern) for a in addresses):
                problems.append(f"{flag} {pattern}: matches no voice in the configuration or state")
    for pattern in options.replace:
        for name in desired:
            if matches(address_of(name), (pattern,)) and name not in state.voices:
                problems.append(f"--replace {pattern}: voice.{name} has no job to replace yet")
    names: dict[str, str] = {}
    for name in sorted(desired):
        voice_name = desired[name].voice_name
        if voice_name in names:
            problems.append(
                f"{address_of(names[voice_name])} and {address_of(name)} both use voice_name "
                f"{voice_name!r}: "
                "each voice needs its own, or jobs could not be told apart"
            )
        names.setdefault(voice_name, name)
    return problems


def _guard_forget(changes: list[ResourceChange], state: State) -> list[str]:
    problems = []
    for change in changes:
        record = state.voices.get(change.name)
        refusal = unsettled(record) if change.action is Action.FORGET and record else None
        if refusal is not None:
            problem, hint = refusal
            problems.append(f"{problem}; {hint}")
    return problems


def _with_previous(
    changes: list[ResourceChange], previous: Mapping[str, str]
) -> list[ResourceChange]:
    return [
        dataclasses.replace(c, previous_address=address_of(previous[c.name]))
        if c.name in previous
        else c
        for c in changes
    ]


def _guard_prevent_destroy(
    changes: list[ResourceChange], desired: Mapping[str, DesiredVoice]
) -> list[str]:
    """The guard counts wherever it is set: recorded in the state, or in the configuration
    (even under --destroy, where the configuration is otherwise not wanted any more)."""
    return [
        f"{c.address}: lifecycle.prevent_destroy forbids "
        f"{'destroying' if c.action is Action.DELETE else 'replacing'} it "
        f"(job {c.remote.job_id or '?'}); set prevent_destroy: false and apply first if you "
        "really mean it"
        for c in changes
        if c.action in (Action.DELETE, Action.REPLACE) and _prevents_destroy(c, desired)
    ]


def _prevents_destroy(change: ResourceChange, desired: Mapping[str, DesiredVoice]) -> bool:
    wanted = desired.get(change.name)
    return change.prevents_destroy or (wanted is not None and wanted.prevent_destroy)


def _keeps_asset(change: ResourceChange, desired: Mapping[str, DesiredVoice]) -> bool:
    """Like the destroy guard, keep_asset counts wherever it is set: a YAML block removed
    (or a voice removed) keeps the model until keep_asset: false has been applied."""
    wanted = desired.get(change.name)
    return change.keeps_asset or (wanted is not None and wanted.keep_asset)


def _guard_duplicates(
    changes: list[ResourceChange],
    desired: Mapping[str, DesiredVoice],
    observed: Observed | None,
    known_ids: Collection[str],
) -> list[str]:
    """Never plan a second paid job for a voice_name MetaStudio already has."""
    if observed is None:
        return []
    problems = []
    for change in changes:
        if change.action not in (Action.CREATE, Action.REPLACE) or change.name not in desired:
            continue
        voice_name = desired[change.name].voice_name
        strangers = _unrecorded(observed, voice_name, known_ids, change)
        if strangers:  # an interrupted create's own job is adopted, so excluded above
            job = strangers[-1]
            problems.append(
                f"{change.address}: MetaStudio already has job {job.job_id} ({job.state}) named "
                f"{voice_name!r} that the state does not know; adopt it with "
                f"`reconciler import {change.address} {job.job_id}` or choose another voice_name"
            )
    return problems


def _note_orphans(
    changes: list[ResourceChange],
    desired: Mapping[str, DesiredVoice],
    observed: Observed | None,
    known_ids: Collection[str],
) -> list[ResourceChange]:
    """A job named like a recorded voice that no voice records: left by a create whose answer
    was lost (or made by hand). Never acted on, but never silent: it may be a paid job."""
    if observed is None:
        return changes
    noted = []
    for change in changes:
        want = desired.get(change.name)
        if want is None or change.action in (Action.CREATE, Action.REPLACE):
            noted.append(change)  # creates and replaces are refused instead (above)
            continue
        if not observed.checked_name(want.voice_name):
            noted.append(change)
            continue
        orphans = [
            f"MetaStudio also has job {job.job_id} ({job.state}) named {want.voice_name!r} that "
            f"no voice records: adopt it for another voice with `reconciler import`, or delete it"
            for job in _unrecorded(observed, want.voice_name, known_ids, change)
        ]
        noted.append(
            dataclasses.replace(change, notes=(*change.notes, *orphans)) if orphans else change
        )
    return noted


def _unrecorded(
    observed: Observed, voice_name: str, known_ids: Collection[str], change: ResourceChange
) -> list[ObservedJob]:
    """Jobs with this voice_name that no voice records, except the one ``change`` adopts
    (or, removing a voice whose create was interrupted, deletes)."""
    return [
        job
        for job in observed.unrecorded(voice_name, known_ids)
        if job.job_id not in (change.adopt_job_id, change.remote.job_id)
    ]
