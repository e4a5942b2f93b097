"""Training-data checks that need the files, run before any money is spent on training.

Every problem is a Diagnostic located at the YAML field that names the data, with the data
file named in the message. Nothing is extracted or uploaded; recordings are decoded in
blocks and their measurements cached by file identity beside the digests, so a re-run over
unchanged data reads none of it.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Callable, Collection, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconciler.config.diagnostics import Diagnostic, display_path
from reconciler.config.model import EDITIONS, LOCK_NAME, Config, DataSource, Edition, VoiceSpec
from reconciler.data.checks import DEFAULT_DURATIONS, DurationLimits, Thresholds, judge_total
from reconciler.data.content import AudioRules, Measured, check_dataset
from reconciler.data.digest import Content, DigestCache
from reconciler.data.entries import folder_entries, is_outside, zip_entries
from reconciler.data.files import MAX_PUT_BYTES
from reconciler.data.lfs import read_pointer
from reconciler.data.lock import UPDATE_COMMAND, DataLock, NoObjectSha256, load_lock
from reconciler.data.locking import (
    check_letter_pointer,
    locked_folder,
    locked_package,
    record_folder,
    record_package,
)
from reconciler.data.package import package_size
from reconciler.data.remote import DigestMismatch, ObjectHead, ObjectUnavailable, RemoteObjects
from reconciler.data.report import Finding, Report, VoiceData
from reconciler.defaults import DEFAULT_BIT_DEPTHS, DEFAULT_SAMPLE_RATES
from reconciler.file_identity import file_identity

HEAD_PARALLELISM = 8  # object-store HEADs in flight at once (data in s3:// or obs://)
_PUT_LIMIT = "5 GB, the most one object-store upload (PUT) takes"
# The console takes the signed letter as a PDF or a photo; 20 MB is our judgement of a
# generous scan or phone photo, well below what would make an upload fail.
LETTER_MAX_BYTES = 20 * 1024 * 1024
_LETTER_MAGIC = (b"%PDF-", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")  # PDF, JPEG, PNG


@dataclass
class Inspection:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    voices: dict[str, VoiceData] = field(default_factory=dict)
    # What reconciler.lock should say of each data path checked (data.lock), by path.
    locked: dict[str, dict[str, Any]] = field(default_factory=dict)


def preflight(
    cfg: Config,
    *,
    allow_outside: bool = False,
    allowed_sample_rates: tuple[int, ...] = DEFAULT_SAMPLE_RATES,
    allowed_bit_depths: tuple[int, ...] = DEFAULT_BIT_DEPTHS,
    cache: DigestCache | None = None,
    durations: Mapping[str, DurationLimits] | None = None,
    names: Collection[str] | None = None,
) -> list[Diagnostic]:
    """Every finding about the config's data; see :func:`inspect_data`."""
    return inspect_data(
        cfg,
        allow_outside=allow_outside,
        allowed_sample_rates=allowed_sample_rates,
        allowed_bit_depths=allowed_bit_depths,
        cache=cache,
        durations=durations,
        names=names,
    ).diagnostics


def inspect_data(
    cfg: Config,
    *,
    allow_outside: bool = False,
    allowed_sample_rates: tuple[int, ...] = DEFAULT_SAMPLE_RATES,
    allowed_bit_depths: tuple[int, ...] = DEFAULT_BIT_DEPTHS,
    cache: DigestCache | None = None,
    durations: Mapping[str, DurationLimits] | None = None,
    names: Collection[str] | None = None,
    updating_lock: bool = False,
) -> Inspection:
    """Findings and measurements of the data and letter of each voice, or of those named.

    ``durations``: the tenant's limits per edition (MetaStudio op 17) when the caller could
    ask for them; the documented ranges otherwise. A voice's ``checks`` override both.
    Git LFS pointers are checked against ``reconciler.lock`` and judged by its facts;
    ``updating_lock``: the lock is being rewritten, so data that no longer matches it is no
    problem.
    """
    inspection = Inspection()
    lock, problems = load_lock(cfg.root_dir)
    inspection.diagnostics += problems
    memo = RunMemo(cfg.root_dir, lock, updating_lock, inspection.locked)
    # Only the voices named are built (a cache hit makes each spec on first use).
    only = None if names is None else set(names)
    chosen = (
        cfg.voices.values() if only is None else [cfg.voices[n] for n in cfg.voices if n in only]
    )
    index = cfg.voices.data_index()
    memo.head_objects(e.data for e in index if e.data.remote and (only is None or e.name in only))
    for voice in chosen:
        thresholds = Thresholds.from_yaml(voice.checks)
        rules = AudioRules(
            thresholds.sample_rates or tuple(allowed_sample_rates),
            thresholds.bit_depths or tuple(allowed_bit_depths),
            thresholds,
            voice.language,
        )
        tenant = (durations or {}).get(voice.edition)
        base = tenant or DEFAULT_DURATIONS[voice.edition]
        limits = thresholds.durations(base)
        origin = "the tenant's limits" if tenant else "the documented range"
        origin = origin if limits == base else "checks in the config"
        data = VoiceData(
            voice.name,
            voice.edition,
            min_seconds=limits.min_seconds,
            max_seconds=limits.max_seconds,
            limits_from=origin,
        )
        inspection.diagnostics += _check_data(
            cfg.root_dir, voice, rules, allow_outside, memo, cache, (limits, origin), data
        )
        inspection.voices[voice.name] = data
        if voice.authorization_letter is not None:
            inspection.diagnostics += _check_letter(cfg.root_dir, voice, allow_outside, memo, cache)
    return inspection


def _contained(
    root_dir: Path,
    path: Path,
    shown: str,
    report: Report,
    allow: bool,
    outside: Callable[[Path, Path], bool] = is_outside,
) -> bool:
    if allow or not outside(root_dir, path):
        return True
    report.error(
        f"{shown} resolves to {os.path.realpath(path)}, outside the config directory "
        f"{root_dir}; move it inside, or pass --allow-outside"
    )
    return False


def _check_data(
    root_dir: Path,
    voice: VoiceSpec,
    rules: AudioRules,
    allow_outside: bool,
    memo: RunMemo,
    cache: DigestCache | None,
    limits: tuple[DurationLimits, str],
    data: VoiceData,
) -> list[Diagnostic]:
    source = voice.data
    field = f"data.{source.kind}"
    report = Report(voice.location_of(field), f"voices.{voice.name}.{field}")
    edition = EDITIONS[voice.edition]
    path, shown = source.path, source.declared
    try:
        measured: Measured | None = None
        if source.remote:
            measured = _check_remote(source, edition, rules, report, memo, cache)
        elif not _contained(root_dir, path, shown, report, allow_outside, memo.is_outside):
            return report.diagnostics()
        elif not path.exists():
            report.error(f"{shown} does not exist")
        elif source.kind == "package":
            measured = _check_package_once(path, shown, edition, rules, report, memo, cache)
        elif not path.is_dir():
            report.error(f"{shown} is not a folder")
        else:
            found = folder_entries(root_dir, path, report, contain=not allow_outside, cache=cache)
            source_key = memo.source_key(path)
            entries = locked_folder(memo.lock, source_key, found, report, memo.updating)
            if entries is None:  # pointers the lock cannot stand for: reported
                return report.diagnostics()
            if source.kind == "dir":
                if package_size((e.name, e.size) for e in entries) > MAX_PUT_BYTES:
                    report.error(f"{shown} would zip to more than {_PUT_LIMIT}")
            else:
                for entry in entries:
                    if entry.size > MAX_PUT_BYTES:
                        report.error(f"larger than {_PUT_LIMIT}", entry.name)
            segments = source.kind == "segments"
            measured = check_dataset(
                entries, edition, segments=segments, rules=rules, report=report, cache=cache
            )
            record_folder(memo.locked, source_key, entries, cache)
        if measured is not None and measured.rows:
            data.rows, data.total_seconds = measured.rows, measured.total_seconds
            data.not_run = measured.not_run
            judge_total(measured.total_seconds, edition.name, limits[0], report, limits[1])
    except OSError as error:
        report.error(f"{shown} cannot be read: {error.strerror or error}")
    return report.diagnostics()


def _check_remote(
    source: DataSource,
    edition: Edition,
    rules: AudioRules,
    report: Report,
    memo: RunMemo,
    cache: DigestCache | None,
) -> Measured | None:
    """A zip in object storage: a HEAD says it exists and fits one upload, and its
    recordings are judged by what reconciler.lock holds for its sha256 (plan reads no
    object). Without that, the voice is said to be not checked. A sha256 that only the lock
    gives must be the current object's: a size or ETag other than the lock's is an error."""
    memo.head_objects([source])
    head = memo.remote_heads[source]
    if isinstance(head, str):
        report.error(head)
        return None
    if head.size > MAX_PUT_BYTES:
        report.error(f"{source.declared} is larger than {_PUT_LIMIT}")
        return None
    if memo.updating:
        return _measure_object(source, head, edition, rules, report, memo, cache)
    entry = memo.lock.file(source.declared) if memo.lock is not None else None
    sha256 = source.sha256
    if sha256 is None:
        if entry is None:
            report.error(str(NoObjectSha256(source)))
            return None
        changed = _replaced(entry, head)
        if changed:
            report.error(
                f"{source.declared} was replaced since {LOCK_NAME} recorded its sha256 "
                f"({changed}); run `{UPDATE_COMMAND}` where the object can be read"
            )
            return None
        sha256 = entry["sha256"]
    content = Content(sha256, head.size, pointer=True)  # the bytes are not here
    if entry is None or (entry["sha256"], entry["size"]) != (content.sha256, content.size):
        why = "has no measurements of it" if entry is None else "is stale for it"
        report.warning(
            f"not checked: {source.declared} is in object storage, and reconciler.lock {why}: "
            f"run `{UPDATE_COMMAND}` where the object can be read (it reads it once); "
            "apply checks its sha256 before creating the job"
        )
        return None
    entries = locked_package(memo.lock, source.declared, content, source.declared, report)
    if entries is None:
        return None
    measured = check_dataset(
        entries, edition, segments=False, rules=rules, report=report, cache=cache
    )
    record_package(memo.locked, source.declared, content, entries, cache, entry.get("etag"))
    return measured


def _replaced(entry: Mapping[str, Any], head: ObjectHead) -> str:
    """How the object the HEAD describes differs from the one the lock recorded ("": it
    does not, as far as its size and ETag tell)."""
    if entry["size"] != head.size:
        return f"the lock says {entry['size']} bytes, the object has {head.size}"
    etag = entry.get("etag")
    if isinstance(etag, str) and head.etag is not None and etag != head.etag:
        return f"its ETag was {etag}, it is {head.etag}"
    return ""


def _measure_object(
    source: DataSource,
    head: ObjectHead,
    edition: Edition,
    rules: AudioRules,
    report: Report,
    memo: RunMemo,
    cache: DigestCache | None,
) -> Measured | None:
    """``validate --update-lock``: the object read once into a temporary file, its sha256
    computed on the way (and checked, if the YAML declares one), and judged as the same zip
    beside the YAML would be; the lock then records its sha256, size, ETag and its members'
    facts under its URL."""
    # Beside the cache when there is one: a place the user chose, not a small /tmp.
    where = cache.cache_dir if cache is not None else None
    if where is not None:
        where.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="reconciler-object-", dir=where) as scratch:
        copy = Path(scratch) / "object.zip"
        try:
            sha256 = memo.remote.download(source, head.size, report.location, copy)
        except DigestMismatch as error:
            report.error(f"{source.declared} {error.problem}")
            return None
        except ObjectUnavailable as error:
            report.error(str(error))
            return None
        present = Content(sha256, head.size, pointer=False)
        try:
            with zip_entries(copy, report, sha256 if cache else None) as entries:
                measured = check_dataset(
                    entries, edition, segments=False, rules=rules, report=report, cache=cache
                )
                record_package(memo.locked, source.declared, present, entries, cache, head.etag)
                return measured
        except zipfile.BadZipFile as error:
            report.error(f"{source.declared} is not a readable zip file: {error}")
    return None


class RunMemo:
    """What one preflight run learns once and reuses: voices often share their data.

    Package findings are kept per (file identity, edition, rules, name shown), so a zip
    shared by 10,000 voices is opened once, not 10,000 times; resolved paths likewise.
    """

    def __init__(
        self,
        root_dir: Path | None = None,
        lock: DataLock | None = None,
        updating: bool = False,
        locked: dict[str, dict[str, Any]] | None = None,
    ) -> None:
        self.root_dir = root_dir
        self.lock = lock
        self.updating = updating
        self.locked: dict[str, dict[str, Any]] = {} if locked is None else locked
        self.packages: dict[tuple[object, ...], tuple[list[Finding], Measured | None]] = {}
        self._real: dict[Path, str] = {}
        self._outside: dict[tuple[Path, Path], bool] = {}
        self.remote = RemoteObjects()
        self.remote_heads: dict[DataSource, ObjectHead | str] = {}  # or why there is none

    def head_objects(self, sources: Iterable[DataSource]) -> None:
        """The size and ETag of each object not asked for yet, in parallel: one HEAD per
        object, and a catalogue in a bucket pays its round trips HEAD_PARALLELISM at a time."""
        todo = list(dict.fromkeys(s for s in sources if s not in self.remote_heads))

        def head(source: DataSource) -> ObjectHead | str:
            try:
                return self.remote.head(source)
            except ObjectUnavailable as error:
                return str(error)

        if len(todo) == 1:
            self.remote_heads[todo[0]] = head(todo[0])
        elif todo:
            with ThreadPoolExecutor(max_workers=HEAD_PARALLELISM) as pool:
                self.remote_heads.update(zip(todo, pool.map(head, todo), strict=True))

    def realpath(self, path: Path) -> str:
        real = self._real.get(path)
        if real is None:
            real = self._real[path] = os.path.realpath(path)
        return real

    def source_key(self, path: Path) -> str:
        """How the lock names a data path: relative to the config directory, with ``/``."""
        if self.root_dir is None:
            return path.as_posix()
        return Path(os.path.relpath(path, self.root_dir)).as_posix()

    def is_outside(self, root_dir: Path, path: Path) -> bool:
        outside = self._outside.get((root_dir, path))
        if outside is None:
            outside = self._outside[root_dir, path] = is_outside(root_dir, path, self.realpath)
        return outside


def _check_package_once(
    path: Path,
    shown: str,
    edition: Edition,
    rules: AudioRules,
    report: Report,
    memo: RunMemo,
    cache: DigestCache | None,
) -> Measured | None:
    key = (memo.realpath(path), *file_identity(path.stat()), edition.name, rules, shown)
    if key not in memo.packages:
        fresh = Report(report.location, report.path)
        measured = _check_package(path, shown, edition, rules, fresh, cache, memo)
        memo.packages[key] = (fresh.findings, measured)
    findings, measured = memo.packages[key]
    report.findings += findings
    return measured


def _check_package(
    path: Path,
    shown: str,
    edition: Edition,
    rules: AudioRules,
    report: Report,
    cache: DigestCache | None,
    memo: RunMemo,
) -> Measured | None:
    if not path.is_file():
        report.error(f"{shown} is not a file")
        return None
    # Before reading it (to hash it): a pointer is never that large.
    if path.stat().st_size > MAX_PUT_BYTES:
        report.error(f"{shown} is larger than {_PUT_LIMIT}")
        return None
    content = _content(path, cache)
    source_key = memo.source_key(path)
    if content.size > MAX_PUT_BYTES:
        report.error(f"{shown} is larger than {_PUT_LIMIT}")
    elif content.pointer:
        entries = locked_package(memo.lock, source_key, content, shown, report)
        if entries is not None:
            measured = check_dataset(
                entries, edition, segments=False, rules=rules, report=report, cache=cache
            )
            record_package(memo.locked, source_key, content, entries, cache)
            return measured
    else:
        locked_package(memo.lock, source_key, content, shown, report, updating=memo.updating)
        try:
            with zip_entries(path, report, content.sha256 if cache else None) as entries:
                measured = check_dataset(
                    entries, edition, segments=False, rules=rules, report=report, cache=cache
                )
                record_package(memo.locked, source_key, content, entries, cache)
                return measured
        except zipfile.BadZipFile as error:
            report.error(f"{shown} is not a readable zip file: {error}")
    return None


def _content(path: Path, cache: DigestCache | None) -> Content:
    """The file's sha256 and size, a Git LFS pointer's if it is one; without a cache the
    sha256 of a real file is left empty (nothing keeps it)."""
    if cache is not None:
        return cache.content(path)
    size = path.stat().st_size
    pointer, _ = read_pointer(path, size)
    if pointer is not None:
        return Content(pointer.oid, pointer.size, True)
    return Content("", size, False)


def _check_letter(
    root_dir: Path,
    voice: VoiceSpec,
    allow_outside: bool,
    memo: RunMemo,
    cache: DigestCache | None,
) -> list[Diagnostic]:
    assert voice.authorization_letter is not None
    path = voice.authorization_letter
    shown = display_path(path, root_dir)
    report = Report(
        voice.location_of("authorization_letter"), f"voices.{voice.name}.authorization_letter"
    )
    try:
        if not _contained(root_dir, path, shown, report, allow_outside):
            return report.diagnostics()
        if not path.exists():
            report.error(f"{shown} does not exist")
        elif not path.is_file():
            report.error(f"{shown} is not a file")
        else:
            # Read to hash it only below the limit: a pointer is never larger than that.
            big = path.stat().st_size > LETTER_MAX_BYTES
            content = Content("", path.stat().st_size, False) if big else _content(path, cache)
            size = content.size
            if size == 0:
                report.error(f"{shown} is empty")
            elif size > LETTER_MAX_BYTES:
                report.error(f"{shown} is larger than 20 MB: scan or photograph it at a lower size")
            else:
                key = memo.source_key(path)
                if content.pointer:
                    looks_right = check_letter_pointer(
                        memo.lock, key, content, shown, report, memo.locked
                    )
                else:
                    with path.open("rb") as stream:
                        looks_right = stream.read(8).startswith(_LETTER_MAGIC)
                    if content.sha256:
                        memo.locked[key] = {
                            "sha256": content.sha256,
                            "size": size,
                            "letter": looks_right,
                        }
                if looks_right is False:
                    report.error(
                        f"{shown} is not a PDF, JPEG or PNG file (by its content): upload the "
                        "printed template, signed by hand, as a PDF or a photo"
                    )
    except OSError as error:
        report.error(f"{shown} cannot be read: {error.strerror or error}")
    return report.diagnostics()
