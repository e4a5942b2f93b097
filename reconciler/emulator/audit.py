"""The system audit run when a job leaves SYSTEM_AUDITING: is the uploaded data trainable?

Zip members are read as streams, header first, so a multi-GB long recording costs a few reads
and nothing is ever extracted to disk.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import BinaryIO, cast

from reconciler.emulator import keys
from reconciler.emulator.checks import MAX_TEXT_BYTES, error_entry, text_problem, wav_problem
from reconciler.emulator.model import Job
from reconciler.emulator.store import Store

PACKAGE_NAME = "data.zip"
_UNREADABLE = (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError, zlib.error)
Errors = list[dict[str, str]]


def audit_job(job: Job, store: Store) -> Errors:
    if job.create_type == "SEGMENT":
        return [e for i in range(job.sentences) for e in audit_segment(job, store, i)]
    path = store.object_path(job.job_id, keys.PACKAGE_KEY)
    if keys.PACKAGE_KEY not in job.objects or not path.exists():
        return [error_entry(PACKAGE_NAME, "", "the training data package was not uploaded")]
    return audit_package(path, job.sentences)


def audit_segment(job: Job, store: Store, index: int, *, need_confirmed: bool = True) -> Errors:
    audio_name, text_name = f"{index}.wav", f"{index}.txt"
    missing = [
        kind
        for kind, key in (("audio", keys.audio_key(index)), ("text", keys.text_key(index)))
        if key not in job.objects
    ]
    if missing:
        detail = " and ".join(missing)
        return [error_entry(audio_name, text_name, f"sentence {index}: {detail} not uploaded")]
    errors = []
    audio_path = store.object_path(job.job_id, keys.audio_key(index))
    with audio_path.open("rb") as stream:
        problem = wav_problem(stream, audio_path.stat().st_size, sentence=True)
    if problem:
        errors.append(error_entry(audio_name, text_name, problem))
    text = store.object_path(job.job_id, keys.text_key(index)).read_bytes()
    if problem := text_problem(text):
        errors.append(error_entry(audio_name, text_name, problem))
    if need_confirmed and not errors and index not in job.confirmed:
        message = f"sentence {index} was uploaded but never confirmed"
        errors.append(error_entry(audio_name, text_name, message))
    return errors


def audit_package(path: Path, sentences: int) -> Errors:
    try:
        with zipfile.ZipFile(path) as archive:
            return _audit_archive(archive, sentences)
    except (zipfile.BadZipFile, OSError):
        return [error_entry(PACKAGE_NAME, "", "the package is not a valid zip archive")]


def _members(archive: zipfile.ZipFile) -> tuple[dict[str, zipfile.ZipInfo], Errors]:
    members: dict[str, zipfile.ZipInfo] = {}
    errors: Errors = []
    for info in archive.infolist():
        parts = PurePosixPath(info.filename).parts
        if info.is_dir() or not parts or parts[0] == "__MACOSX" or parts[-1].startswith("."):
            continue
        name = parts[-1]
        if name in members:
            errors.append(error_entry(name, "", f"{name} appears twice in the package"))
        members[name] = info
    return members, errors


def _audit_archive(archive: zipfile.ZipFile, sentences: int) -> Errors:
    members, errors = _members(archive)
    wavs = sorted(name for name in members if name.lower().endswith(".wav"))
    texts = [name for name in members if name.lower().endswith(".txt")]
    if sentences and not (len(wavs) == 1 and not texts):
        return errors + _audit_sentences(archive, members, sentences)
    if len(wavs) != 1:
        what = "no WAV file" if not wavs else f"{len(wavs)} WAV files"
        message = f"the package holds {what}; this edition takes exactly one long recording"
        return [*errors, error_entry(PACKAGE_NAME, "", message)]
    return errors + _check_member(archive, members[wavs[0]], wavs[0], "", sentence=False)


def _audit_sentences(
    archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], sentences: int
) -> Errors:
    errors: Errors = []
    expected = {f"{i}.{ext}" for i in range(sentences) for ext in ("wav", "txt")}
    for name in sorted(set(members) - expected):
        if name.lower().endswith((".wav", ".txt")):
            message = f"unexpected file {name}: expected 0.wav..{sentences - 1}.wav and .txt"
            errors.append(error_entry(name, "", message))
    for i in range(sentences):
        audio, text = f"{i}.wav", f"{i}.txt"
        missing = [name for name in (audio, text) if name not in members]
        if missing:
            errors.append(error_entry(audio, text, f"{' and '.join(missing)} missing"))
            continue
        errors += _check_member(archive, members[audio], audio, text, sentence=True)
        errors += _check_member(archive, members[text], audio, text, sentence=True)
    return errors


def _check_member(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    audio_name: str,
    text_name: str,
    *,
    sentence: bool,
) -> Errors:
    try:
        with archive.open(info) as stream:
            if info.filename.lower().endswith(".txt"):
                problem = text_problem(stream.read(MAX_TEXT_BYTES + 1))
            else:
                problem = wav_problem(cast(BinaryIO, stream), info.file_size, sentence=sentence)
    except _UNREADABLE as error:
        problem = f"cannot be read from the package: {error}"
    return [error_entry(audio_name, text_name, problem)] if problem else []
