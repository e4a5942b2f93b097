"""`reconciler import --all`: adopt every job of the tenant that no state record holds.

One listing (paged) of the tenant's jobs; each adoptable job becomes a voice in a new YAML
file and a record in the state, made by the single-job import's own functions, so the next
plan with that file is a no-op for trained voices. Jobs that cannot be adopted are listed
with the reason.

Both or neither: the YAML is created first (never over an existing file), then the state is
written; if that write fails, the YAML is removed. A kill in between leaves the YAML without
the records, which costs nothing: a plan refuses to create a voice whose voice_name
MetaStudio already has and points at `reconciler import`. The other order could leave
records without configuration, which a plan would destroy.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from reconciler.config import EDITIONS, Config, InvalidConfig, check_config
from reconciler.config.check import CONFIG_SUFFIXES
from reconciler.errors import ReconcilerError
from reconciler.fsutil import create_new, file_errors
from reconciler.jobstates import JobState
from reconciler.metastudio import TrainingJob
from reconciler.operations.desired import voice_spec
from reconciler.operations.import_yaml import Adoption, render, voice_key
from reconciler.operations.importing import adopted_record, check_matches, check_unrecorded
from reconciler.operations.locking import state_lock
from reconciler.operations.workspace import Workspace
from reconciler.plan.inputs import DesiredVoice
from reconciler.state import State, VoiceRecord, address_of

UNADOPTABLE = JobState.TERMINAL - {JobState.SUCCEED}  # FAILED, SPLIT_FAILED: nothing to keep


@dataclass(frozen=True)
class Skipped:
    job: TrainingJob
    reason: str


@dataclass(frozen=True)
class ImportAllResult:
    out: Path
    imported: tuple[VoiceRecord, ...]
    skipped: tuple[Skipped, ...]
    placeholders: tuple[str, ...]  # each imported voice's data path, to fill
    in_config: bool  # ``out`` is read with the configuration (a *.yaml of its directory)


def import_all(
    workspace: Workspace, path: Path, out: Path, *, lock_timeout: float, now: str
) -> ImportAllResult:
    """``path`` is the configuration (file or directory), ``out`` the new YAML file."""
    refuse_existing(out)
    with state_lock(workspace.backend, "import", lock_timeout, workspace.lock_waits):
        state = workspace.backend.read()
        with workspace.client() as client:
            jobs = list(client.iter_jobs())
            adoptions, skipped = _select(jobs, state, workspace.config)
            if any(a.job.asset_id for a in adoptions):  # one listing: their descriptions
                assets = {a.asset_id: a.raw for a in client.iter_assets()}
                adoptions = [
                    dataclasses.replace(a, asset=assets.get(a.job.asset_id or ""))
                    for a in adoptions
                ]
        adoptions, unfit = _declarable(adoptions, workspace, path, out, now)
        records: list[VoiceRecord] = []
        if adoptions:
            text = render(adoptions, now)
            records = _records(adoptions, workspace, path, out, text, state, now)
            _write_both(workspace, out, text, state, records)
    return ImportAllResult(
        out=out,
        imported=tuple(records),
        skipped=tuple(
            sorted([*skipped, *unfit], key=lambda s: (s.job.voice_name or "", s.job.job_id))
        ),
        placeholders=tuple(a.data_path for a in adoptions),
        in_config=_read_with(path, out),
    )


def _read_with(path: Path, out: Path) -> bool:
    """Whether loading the configuration at ``path`` reads ``out`` (config_files' rule)."""
    return (
        path.is_dir()
        and out.parent.resolve() == path.resolve()
        and out.suffix in CONFIG_SUFFIXES
        and not out.name.startswith(".")
    )


def refuse_existing(out: Path) -> None:
    if out.exists() or out.is_symlink():
        raise ReconcilerError(
            f"{out} already exists; import --all never overwrites a file",
            hint="name a new file with --out FILE",
        )


def _select(
    jobs: Iterable[TrainingJob], state: State, config: Config
) -> tuple[list[Adoption], list[Skipped]]:
    recorded = {r.job_id for r in state.voices.values() if r.job_id}
    named = _names_taken(state, config)
    skipped: list[Skipped] = []
    best: dict[str, tuple[TrainingJob, str]] = {}
    for job in sorted(jobs, key=lambda j: (j.create_time or 0, j.job_id)):
        if job.job_id in recorded:
            continue
        edition = _edition(job)
        reason = _unadoptable(job, edition, named)
        if reason is not None:
            skipped.append(Skipped(job, reason))
            continue
        assert job.voice_name is not None and edition is not None
        kept = best.get(job.voice_name)
        if kept is not None:
            loser, winner = (job, kept[0]) if _preferred(kept[0], job) else (kept[0], job)
            skipped.append(Skipped(loser, f"job {winner.job_id} of the same voice_name is adopted"))
            if winner is kept[0]:
                continue
        best[job.voice_name] = (job, edition)
    taken = set(config.voices) | set(state.voices)
    adoptions = []
    for voice_name in sorted(best):
        job, edition = best[voice_name]
        key = voice_key(voice_name, taken)
        taken.add(key)
        adoptions.append(Adoption(key, edition, job))
    return adoptions, skipped


def _names_taken(state: State, config: Config) -> dict[str, str]:
    """voice_name -> why no imported voice can have it."""
    named = {}
    for name, record in state.voices.items():
        attempt = record.create_attempt or {}
        if attempt.get("voice_name"):
            named[str(attempt["voice_name"])] = (
                f"an interrupted create of {address_of(name)} may have made it; "
                "`reconciler plan` adopts it there"
            )
        if record.spec.get("voice_name"):
            named[str(record.spec["voice_name"])] = (
                f"{address_of(name)} in the state records another job with this voice_name"
            )
    for name, voice in config.voices.items():
        named.setdefault(
            voice.voice_name,
            f"{address_of(name)} in the configuration has this voice_name; adopt the job "
            f"there with `reconciler import {address_of(name)} JOB_ID`",
        )
    return named


def _edition(job: TrainingJob) -> str | None:
    return next((e.name for e in EDITIONS.values() if e.job_type == job.job_type), None)


def _unadoptable(job: TrainingJob, edition: str | None, named: Mapping[str, str]) -> str | None:
    if job.state in UNADOPTABLE:
        return f"the job {job.state}: it has no model to keep, and a voice for it would train again"
    if job.state not in JobState.KNOWN:
        return f"its state {job.state!r} is unknown to reconciler"
    if edition is None:
        return f"reconciler knows no edition for job type {job.job_type!r}"
    if not job.voice_name or not job.voice_name.strip():
        return "it has no voice_name"
    return named.get(job.voice_name)


def _preferred(a: TrainingJob, b: TrainingJob) -> bool:
    """Of two jobs with one voice_name: a trained one, else the newer (``b`` is newer)."""
    return a.state == JobState.SUCCEED and b.state != JobState.SUCCEED


def _declarable(
    adoptions: list[Adoption], workspace: Workspace, path: Path, out: Path, now: str
) -> tuple[list[Adoption], list[Skipped]]:
    """Those whose YAML the configuration accepts; a job reporting a value the schema does
    not take (a newer enum, say) is skipped with the schema's words."""
    if not adoptions:
        return [], []
    problems = check_config(path, adding=((out, render(adoptions, now)),)).errors
    unfit = []
    for adoption in adoptions:
        own = [d for d in problems if d.path.startswith(f"voices.{adoption.key}.")]
        if own:
            message = own[0].message
            unfit.append(Skipped(adoption.job, f"the configuration cannot declare it: {message}"))
    bad = {s.job.job_id for s in unfit}
    return [a for a in adoptions if a.job.job_id not in bad], unfit


def _records(
    adoptions: Sequence[Adoption],
    workspace: Workspace,
    path: Path,
    out: Path,
    text: str,
    state: State,
    now: str,
) -> list[VoiceRecord]:
    """The records the single-job import would make, from the configuration as it will be
    with the new file (its defaults apply to the new voices too), the data left unknown."""
    check = check_config(path, adding=((out, text),))
    if check.config is None:
        raise InvalidConfig(check.errors)
    records = []
    for adoption in adoptions:
        voice = check.config.voices[adoption.key]
        check_unrecorded(state, adoption.key, adoption.job.job_id)
        check_matches(voice, adoption.job, workspace)
        letter = voice.authorization_letter
        spec = voice_spec(
            voice,
            data=None,
            letter=f"sha256:{workspace.cache.file_digest(letter)}" if letter else None,
            lineage=state.lineage,
        )
        records.append(adopted_record(voice, DesiredVoice(voice.name, spec), adoption.job, now))
    return records


def _write_both(
    workspace: Workspace, out: Path, text: str, state: State, records: Sequence[VoiceRecord]
) -> None:
    try:
        with file_errors("create", out, hint="name a new file with --out FILE"):
            create_new(out, text.encode("utf-8"))
    except ReconcilerError:
        refuse_existing(out)  # created meanwhile: say so plainly
        raise
    try:
        workspace.backend.write(state.with_records({r.name: r for r in records}))
    except BaseException:
        with contextlib.suppress(OSError):
            out.unlink()
        raise
