"""`reconciler assess` and `plan --assess`: MetaStudio's own verdict on a voice's data, before
any training is paid for, beside the preflight's figures for the same recordings.

Per voice: a sample within the tenant's ``short_assess`` range is cut from the recordings
(data/sample.py), zipped, and run as a free short job (VOICE_ASSESS, op 18): create, upload
the zip, commit, wait. The verdict is kept per data digest (assess_cache.py), so the same
data is never assessed twice unless asked (``again``). No training job is created, no
resource is consumed and the state is neither read nor locked.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from reconciler.addresses import address_of, resolve_address
from reconciler.config.model import VoiceSpec
from reconciler.data import data_digest, inspect_data
from reconciler.data.report import FileRow
from reconciler.data.sample import Sample, SampleError, write_sample
from reconciler.defaults import ASSESS_TIMEOUT_SECONDS
from reconciler.errors import ReconcilerError
from reconciler.fsutil import file_errors
from reconciler.metastudio import MetaStudioClient, MetaStudioError, OutcomeUnknownError
from reconciler.metastudio.short_jobs import (
    POLL_SECONDS,
    AssessResult,
    ShortJob,
    ShortJobTimeout,
    wait_short_job,
)
from reconciler.operations.assess_cache import COMMITTED, Record, read_record, record_path
from reconciler.operations.assess_cache import write_record as _write
from reconciler.operations.workspace import Workspace
from reconciler.plan.model import Plan, Step

# When op 17 names no short_assess range: the emulator's reading of the service, a guess.
FALLBACK_RANGE = (10.0, 60.0)


@dataclass(frozen=True)
class Assessment:
    """One voice's verdict: the service's (``record``) and the preflight's (``rows``, the
    recordings the sample was cut from, in the sample's order)."""

    name: str
    record: Record
    rows: tuple[FileRow, ...]
    cached: bool  # True: read from .reconciler/assess/, no short job ran now

    @property
    def address(self) -> str:
        return address_of(self.name)

    @property
    def result(self) -> AssessResult | None:
        raw = self.record.assess_result
        return None if raw is None else AssessResult.from_raw(raw)


@dataclass(frozen=True)
class AssessRequest:
    addresses: tuple[str, ...]
    timeout: float = ASSESS_TIMEOUT_SECONDS
    again: bool = False  # a new short job even when this data has a verdict


@dataclass
class Assessor:
    """Runs (or finds) the assessments of one workspace's voices through one client."""

    workspace: Workspace
    client: MetaStudioClient
    timeout: float = ASSESS_TIMEOUT_SECONDS
    poll: float = POLL_SECONDS
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    _range: tuple[float, float] | None = field(default=None, init=False)

    def assess(self, voice: VoiceSpec, *, again: bool = False) -> tuple[Record, bool]:
        """The settled record of ``voice``'s data, and whether it came from the cache."""
        root = self.workspace.config.root_dir
        try:
            digest = data_digest(voice.data, self.workspace.cache)
        except OSError as error:
            reason = error.strerror or error
            raise SampleError(f"{voice.data.declared} cannot be read: {reason}") from None
        path = record_path(root, digest, voice.language)
        record = read_record(path)
        if record is not None and record.settled and not again:
            return record, True
        if record is not None and record.state == COMMITTED and not again:
            job = self._pending(record)
            if job is not None:
                return self._settle(path, record, job), False
        return self._run(voice, digest, path), False

    def _pending(self, record: Record) -> ShortJob | None:
        """The committed job of an earlier run, or None when the service no longer has it."""
        try:
            return self.client.show_short_job(record.job_id)
        except MetaStudioError as error:
            if error.status == 400:
                return None
            raise

    def _run(self, voice: VoiceSpec, digest: str, path: Path) -> Record:
        low, high = self.sample_range()
        # A sample is small (a minute by default): the system's temporary folder holds it,
        # and cleans up after a run killed before the finally below.
        fd, name = tempfile.mkstemp(prefix="reconciler-assess-", suffix=".zip")
        zipped = Path(name)
        try:
            with file_errors("write the assessment sample", zipped), os.fdopen(fd, "wb") as out:
                sample = write_sample(voice.data, low, high, out)
            record = self._start(voice, digest, path, sample, zipped)
        finally:
            zipped.unlink(missing_ok=True)
        return self._settle(path, record, self._wait(record.job_id))

    def _start(
        self, voice: VoiceSpec, digest: str, path: Path, sample: Sample, zipped: Path
    ) -> Record:
        created = self.client.create_short_job(voice.language)
        if not created.job_id or created.data_uploading_url is None:
            raise ReconcilerError("MetaStudio created a short job without an id or upload URL")
        record = Record(digest, voice.language, created.job_id, sample, "created")
        _write(path, record)
        self.client.upload(created.data_uploading_url, zipped, "package")
        try:
            self.client.commit_short_job(created.job_id)
        except OutcomeUnknownError:
            # Not sent again: the job itself says whether the commit arrived.
            if self.client.show_short_job(created.job_id).state in (None, "CREATING"):
                raise
        record = dataclasses.replace(record, state=COMMITTED)
        _write(path, record)
        return record

    def _wait(self, job_id: str) -> ShortJob:
        return wait_short_job(
            self.client.show_short_job,
            job_id,
            timeout=self.timeout,
            poll=self.poll,
            sleep=self.sleep,
            clock=self.clock,
        )

    def _settle(self, path: Path, record: Record, job: ShortJob) -> Record:
        if not job.settled:
            job = self._wait(job.job_id)
        result = job.assess_result.raw if job.assess_result is not None else None
        settled = dataclasses.replace(
            record,
            state=job.state or "UNKNOWN",
            failure=None if job.succeeded else job.failure(),
            assess_result=dict(result) if result is not None else None,
        )
        _write(path, settled)
        return settled

    def sample_range(self) -> tuple[float, float]:
        """Seconds of audio a sample may last (op 17), asked once per run."""
        if self._range is None:
            durations = self.client.show_tenant_duration_cfg()
            low = durations.short_assess_min
            high = durations.short_assess_max
            fallback_low, fallback_high = FALLBACK_RANGE
            low = fallback_low if low is None else low
            high = max(low, fallback_high if high is None else high)
            self._range = (low, high)
        return self._range


def preflight_rows(
    workspace: Workspace, records: dict[str, Record]
) -> dict[str, tuple[FileRow, ...]]:
    """The preflight's figures for the recordings each sample was cut from (its cache makes
    this free when validate or plan measured them before)."""
    inspection = inspect_data(workspace.config, names=records, cache=workspace.cache)
    rows: dict[str, tuple[FileRow, ...]] = {}
    for name, record in records.items():
        data = inspection.voices.get(name)
        by_file = {row.name: row for row in (data.rows if data else [])}
        rows[name] = tuple(by_file[s] for s in record.sample.sources if s in by_file)
    return rows


def _explain(address: str, error: ReconcilerError) -> ReconcilerError:
    if isinstance(error, ShortJobTimeout):
        return ReconcilerError(
            f"{address}: the service's assessment did not finish: {error.message}",
            hint="run the same command again later: it picks that job up",
        )
    return ReconcilerError(f"{address}: cannot assess: {error}")


def assess_voices(
    workspace: Workspace,
    request: AssessRequest,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> list[Assessment]:
    """`reconciler assess`: every voice named, in order. A short job that FAILED is a
    verdict too (kept, and returned with its ``failure``: see :func:`failures`)."""
    voices = workspace.config.voices
    names = list(
        dict.fromkeys(resolve_address(a, voices, "the configuration") for a in request.addresses)
    )
    records: dict[str, tuple[Record, bool]] = {}
    with workspace.client() as client:
        assessor = Assessor(workspace, client, request.timeout, sleep=sleep, clock=clock)
        for name in names:
            try:
                records[name] = assessor.assess(voices[name], again=request.again)
            except (SampleError, ShortJobTimeout) as error:
                raise _explain(address_of(name), error) from None
    rows = preflight_rows(workspace, {n: r for n, (r, _) in records.items()})
    return [Assessment(n, r, rows[n], cached) for n, (r, cached) in records.items()]


# The preflight's counterpart of each service figure: a FileRow attribute, its unit, and
# whether the worst file is the lowest (True) or the highest. Attributes the preflight does
# not measure (yet) are simply absent from its rows.
PREFLIGHT_FIGURES: dict[str, tuple[str, str, bool]] = {
    "snr": ("snr_db", "dB", True),
    "sound": ("speech_dbfs", "dBFS", True),
    "dnsmos_ovrl": ("dnsmos_ovrl", "", True),
    "dnsmos_bak": ("dnsmos_bak", "", True),
    "reverb": ("reverb", "", False),
    "speed": ("speed", "", False),
}


def preflight_figure(rows: Iterable[FileRow], item: str) -> str | None:
    """The preflight's figure for the service's ``item``, over the sampled recordings (the
    worst file's), or None when the preflight has none."""
    attribute, unit, lowest_worst = PREFLIGHT_FIGURES.get(item, ("", "", True))
    values = [getattr(row, attribute, None) for row in rows] if attribute else []
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if not numbers:
        return None
    worst = min(numbers) if lowest_worst else max(numbers)
    return f"{worst:.1f} {unit}".rstrip()


def failures(assessments: Iterable[Assessment]) -> list[str]:
    return [
        f"{a.address}: the service's assessment failed: short job {a.record.job_id} "
        f"{a.record.failure}"
        for a in assessments
        if a.record.failure is not None
    ]


def assessed_names(plan: Plan, configured: Collection[str]) -> list[str]:
    """The voices whose plan submits data for training: created, resumed or resubmitted."""
    return [c.name for c in plan.changes if Step.SUBMIT in c.steps and c.name in configured]
