"""The system audit run when a job leaves SYSTEM_AUDITING: is the uploaded data trainable?

Zip members are read as streams, so nothing is ever extracted to disk; each recording is
decoded once, in blocks (see ``sound``). The rules and their codes are in ``checks``.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, cast

from reconciler.emulator import assess, keys
from reconciler.emulator.checks import (
    AUDIO_FORMAT,
    BAD_LETTER,
    DURATION,
    FILE_COUNT,
    FILE_TYPES,
    MAX_TEXT_BYTES,
    NOT_A_ZIP,
    UNCONFIRMED,
    check_audio,
    error_entry,
    letter_problem,
    text_problems,
)
from reconciler.emulator.model import Job
from reconciler.emulator.sound import Measures
from reconciler.emulator.store import Store
from reconciler.emulator.tenant import Tenant

PACKAGE_NAME = "data.zip"
LETTER_NAME = "authorization letter"
_UNREADABLE = (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError, zlib.error)
_TRAINING_FILES = (".wav", ".txt")
_SENTENCE_NAME = re.compile(r"[0-9]+\.(wav|txt)")
Errors = list[dict[str, str]]


@dataclass
class Review:
    errors: Errors = field(default_factory=list)
    measures: list[Measures] = field(default_factory=list)

    def assess_result(self) -> dict[str, Any] | None:
        return assess.assess_result(self.measures)


def audit_job(job: Job, store: Store, tenant: Tenant) -> Review:
    review = Review()
    if job.create_type == "SEGMENT":
        for index in range(job.sentences):
            review.errors += audit_segment(job, store, index, review=review)
    else:
        path = store.object_path(job.job_id, keys.PACKAGE_KEY)
        if keys.PACKAGE_KEY not in job.objects or not path.exists():
            message = "the training data package was not uploaded"
            review.errors.append(error_entry(PACKAGE_NAME, "", message, NOT_A_ZIP))
        else:
            _audit_package(path, job, review)
    _check_duration(job, tenant, review)
    _check_letter(job, store, review)
    return review


def _language(job: Job) -> str | None:
    language = job.attrs.get("language")
    return language if isinstance(language, str) else None


def audit_segment(
    job: Job, store: Store, index: int, *, need_confirmed: bool = True, review: Review | None = None
) -> Errors:
    audio_name, text_name = f"{index}.wav", f"{index}.txt"
    missing = [
        kind
        for kind, key in (("audio", keys.audio_key(index)), ("text", keys.text_key(index)))
        if key not in job.objects
    ]
    if missing:
        detail = " and ".join(missing)
        message = f"sentence {index}: {detail} not uploaded"
        return [error_entry(audio_name, text_name, message, FILE_COUNT)]
    audio_path = store.object_path(job.job_id, keys.audio_key(index))
    with audio_path.open("rb") as stream:
        quality = review is not None and not review.measures
        checked = check_audio(stream, sentence=True, quality=quality)
    if review is not None and checked.measures is not None:
        review.measures.append(checked.measures)
    problems = list(checked.problems)
    text = store.object_path(job.job_id, keys.text_key(index)).read_bytes()
    problems += text_problems(text, _language(job))
    errors = [error_entry(audio_name, text_name, message, code) for code, message in problems]
    if need_confirmed and not errors and index not in job.confirmed:
        message = f"sentence {index} was uploaded but never confirmed"
        errors.append(error_entry(audio_name, text_name, message, UNCONFIRMED))
    return errors


def _audit_package(path: Path, job: Job, review: Review) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            _audit_archive(archive, job, review)
    except (zipfile.BadZipFile, OSError):
        message = "the package is not a valid zip archive"
        review.errors.append(error_entry(PACKAGE_NAME, "", message, NOT_A_ZIP))


def _members(archive: zipfile.ZipFile, review: Review) -> dict[str, zipfile.ZipInfo]:
    members: dict[str, zipfile.ZipInfo] = {}
    for info in archive.infolist():
        parts = PurePosixPath(info.filename).parts
        if info.is_dir() or not parts:
            continue
        if parts[0] == "__MACOSX" or any(part.startswith(".") for part in parts):
            # What macOS Finder adds to a zip (__MACOSX/, .DS_Store, ._*) is a file like any
            # other to the service, and not one of the types it takes.
            message = f"{info.filename}: macOS Finder metadata or a hidden file, not training data"
            review.errors.append(error_entry(info.filename, "", message, FILE_TYPES))
            continue
        name = parts[-1]
        if not name.lower().endswith(_TRAINING_FILES):
            message = f"{name}: only .wav recordings and .txt transcripts belong in the package"
            review.errors.append(error_entry(name, "", message, FILE_TYPES))
            continue
        if name in members:
            message = f"{name} appears twice in the package"
            review.errors.append(error_entry(name, "", message, FILE_COUNT))
        members[name] = info
    return members


def _audit_archive(archive: zipfile.ZipFile, job: Job, review: Review) -> None:
    members = _members(archive, review)
    wavs = sorted(name for name in members if name.lower().endswith(".wav"))
    texts = sorted(name for name in members if name.lower().endswith(".txt"))
    if job.sentences and not _is_long_take(wavs, texts):
        _audit_sentences(archive, members, job, review)
        return
    # A long take goes alone: "a zip containing one long WAV" (transcripts are documented
    # for sentence recordings only).
    for text in texts:
        message = f"{text}: a long recording goes alone in the package, without a transcript"
        review.errors.append(error_entry("", text, message, FILE_COUNT))
    if len(wavs) != 1:
        what = "no WAV file" if not wavs else f"{len(wavs)} WAV files"
        message = f"the package holds {what}; this edition takes exactly one long recording"
        review.errors.append(error_entry(PACKAGE_NAME, "", message, FILE_COUNT))
        return
    _check_member(archive, members[wavs[0]], wavs[0], "", job, review, sentence=False)


def _is_long_take(wavs: list[str], texts: list[str]) -> bool:
    """For the editions that take either: one WAV, and at most a stray text beside it that
    is not its sentence pair (a lone 0.wav with 0.txt is an incomplete sentence set)."""
    if len(wavs) != 1 or len(texts) > 1:
        return False
    paired = texts and texts[0][:-4] == wavs[0][:-4] and _SENTENCE_NAME.fullmatch(wavs[0])
    return not paired


def _audit_sentences(
    archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], job: Job, review: Review
) -> None:
    sentences = job.sentences
    expected = {f"{i}.{ext}" for i in range(sentences) for ext in ("wav", "txt")}
    for name in sorted(set(members) - expected):
        message = f"unexpected file {name}: expected 0.wav..{sentences - 1}.wav and .txt"
        review.errors.append(error_entry(name, "", message, FILE_COUNT))
    for i in range(sentences):
        audio, text = f"{i}.wav", f"{i}.txt"
        missing = [name for name in (audio, text) if name not in members]
        if missing:
            message = f"{' and '.join(missing)} missing"
            review.errors.append(error_entry(audio, text, message, FILE_COUNT))
            continue
        _check_member(archive, members[audio], audio, text, job, review, sentence=True)
        _check_member(archive, members[text], audio, text, job, review, sentence=True)


def _check_member(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    audio_name: str,
    text_name: str,
    job: Job,
    review: Review,
    *,
    sentence: bool,
) -> None:
    try:
        with archive.open(info) as stream:
            if info.filename.lower().endswith(".txt"):
                problems = text_problems(stream.read(MAX_TEXT_BYTES + 1), _language(job))
            else:
                quality = not review.measures  # assess_result's DNSMOS: the first recording
                checked = check_audio(cast(BinaryIO, stream), sentence=sentence, quality=quality)
                problems = checked.problems
                if checked.measures is not None:
                    review.measures.append(checked.measures)
    except _UNREADABLE as error:
        problems = [(AUDIO_FORMAT, f"cannot be read from the package: {error}")]
    review.errors += [error_entry(audio_name, text_name, msg, code) for code, msg in problems]


def _check_duration(job: Job, tenant: Tenant, review: Review) -> None:
    """Total audio against the tenant's limits, once every recording could be measured."""
    limits = tenant.duration_range(job.job_type)
    unmeasured = {AUDIO_FORMAT, FILE_COUNT, NOT_A_ZIP}
    if limits is None or not review.measures:
        return
    if any(error["error_code"] in unmeasured for error in review.errors):
        return
    low, high = limits
    total = sum(m.seconds for m in review.measures)
    if low <= total <= high:
        return
    message = (
        f"training audio lasts {total:.0f} s in total; this tenant's {job.job_type} jobs "
        f"take {low} to {high} s (tenant-duration-cfg)"
    )
    review.errors.append(error_entry("", "", message, DURATION))


def _check_letter(job: Job, store: Store, review: Review) -> None:
    if keys.LETTER_KEY not in job.objects:
        return
    path = store.object_path(job.job_id, keys.LETTER_KEY)
    with path.open("rb") as letter:
        head = letter.read(16)
        letter.seek(max(0, path.stat().st_size - 1024))
        tail = letter.read()
    problem = letter_problem(head, tail)
    if problem:
        review.errors.append(error_entry(LETTER_NAME, "", problem, BAD_LETTER))
