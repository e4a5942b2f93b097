"""Training-data checks that need the files, run before any money is spent on training.

Every problem is a Diagnostic located at the YAML field that names the data, with the data
file named in the message. Nothing is extracted or uploaded; wav files are read to their
headers only, so multi-GB recordings cost a few reads.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from pathlib import Path

from reconciler.config.diagnostics import Diagnostic, display_path
from reconciler.config.model import EDITIONS, Config, Edition, VoiceSpec
from reconciler.data.content import AudioRules, check_dataset
from reconciler.data.entries import folder_entries, is_outside, zip_entries
from reconciler.data.files import MAX_PUT_BYTES
from reconciler.data.package import package_size
from reconciler.data.report import Finding, Report
from reconciler.defaults import DEFAULT_BIT_DEPTHS, DEFAULT_SAMPLE_RATES

_PUT_LIMIT = "5 GB, the most one object-store upload (PUT) takes"


def preflight(
    cfg: Config,
    *,
    allow_outside: bool = False,
    allowed_sample_rates: tuple[int, ...] = DEFAULT_SAMPLE_RATES,
    allowed_bit_depths: tuple[int, ...] = DEFAULT_BIT_DEPTHS,
) -> list[Diagnostic]:
    rules = AudioRules(tuple(allowed_sample_rates), tuple(allowed_bit_depths))
    diagnostics: list[Diagnostic] = []
    memo = RunMemo()
    for voice in cfg.voices.values():
        diagnostics += _check_data(cfg.root_dir, voice, rules, allow_outside, memo)
        if voice.authorization_letter is not None:
            diagnostics += _check_letter(cfg.root_dir, voice, allow_outside)
    return diagnostics


def _contained(
    root_dir: Path,
    path: Path,
    shown: str,
    report: Report,
    allow: bool,
    realpath: Callable[[Path], str] = os.path.realpath,
) -> bool:
    if allow or not is_outside(root_dir, path, realpath):
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
) -> list[Diagnostic]:
    source = voice.data
    field = f"data.{source.kind}"
    report = Report(voice.location_of(field), f"voices.{voice.name}.{field}")
    edition = EDITIONS[voice.edition]
    path, shown = source.path, source.declared
    try:
        if not _contained(root_dir, path, shown, report, allow_outside, memo.realpath):
            return report.diagnostics()
        if not path.exists():
            report.error(f"{shown} does not exist")
        elif source.kind == "package":
            _check_package_once(path, shown, edition, rules, report, memo)
        elif not path.is_dir():
            report.error(f"{shown} is not a folder")
        else:
            entries = folder_entries(root_dir, path, report, contain=not allow_outside)
            if source.kind == "dir":
                if package_size((e.name, e.size) for e in entries) > MAX_PUT_BYTES:
                    report.error(f"{shown} would zip to more than {_PUT_LIMIT}")
            else:
                for entry in entries:
                    if entry.size > MAX_PUT_BYTES:
                        report.error(f"larger than {_PUT_LIMIT}", entry.name)
            segments = source.kind == "segments"
            check_dataset(entries, edition, segments=segments, rules=rules, report=report)
    except OSError as error:
        report.error(f"{shown} cannot be read: {error.strerror or error}")
    return report.diagnostics()


class RunMemo:
    """What one preflight run learns once and reuses: voices often share their data.

    Package findings are kept per (file identity, edition, rules, name shown), so a zip
    shared by 10,000 voices is opened once, not 10,000 times; resolved paths likewise.
    """

    def __init__(self) -> None:
        self.packages: dict[tuple[object, ...], list[Finding]] = {}
        self._real: dict[Path, str] = {}

    def realpath(self, path: Path) -> str:
        real = self._real.get(path)
        if real is None:
            real = self._real[path] = os.path.realpath(path)
        return real


def _check_package_once(
    path: Path,
    shown: str,
    edition: Edition,
    rules: AudioRules,
    report: Report,
    memo: RunMemo,
) -> None:
    status = path.stat()
    identity = (status.st_size, status.st_mtime_ns, status.st_ino)
    key = (memo.realpath(path), *identity, edition.name, rules, shown)
    if key not in memo.packages:
        fresh = Report(report.location, report.path)
        _check_package(path, shown, edition, rules, fresh)
        memo.packages[key] = fresh.findings
    report.findings += memo.packages[key]


def _check_package(
    path: Path, shown: str, edition: Edition, rules: AudioRules, report: Report
) -> None:
    if not path.is_file():
        report.error(f"{shown} is not a file")
    elif path.stat().st_size > MAX_PUT_BYTES:
        report.error(f"{shown} is larger than {_PUT_LIMIT}")
    else:
        try:
            with zip_entries(path, report) as entries:
                check_dataset(entries, edition, segments=False, rules=rules, report=report)
        except zipfile.BadZipFile as error:
            report.error(f"{shown} is not a readable zip file: {error}")


def _check_letter(root_dir: Path, voice: VoiceSpec, allow_outside: bool) -> list[Diagnostic]:
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
        elif path.stat().st_size == 0:
            report.error(f"{shown} is empty")
    except OSError as error:
        report.error(f"{shown} cannot be read: {error.strerror or error}")
    return report.diagnostics()
