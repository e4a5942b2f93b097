"""What a training set must contain for its edition, and what each recording and text must be.

Shapes (API doc sections 0 and 9): basic and advanced take exactly 20 or 100 sentence pairs
``N.wav`` + ``N.txt`` (N from 0), or one long recording; premium and third-party take one long
recording only; segment uploads are sentence pairs only. A long recording goes alone: the API
doc (sections 0 and 7) has "a zip containing one long WAV" and gives transcripts only to
sentence recordings, so a ``.txt`` beside a long take is refused, as the emulator's review
refuses it. So is macOS Finder's metadata in a zip (``__MACOSX/``, ``.DS_Store``, ``._*``):
MetaStudio refuses files that are not recordings or transcripts (MSS.20020012). Sentence
recordings last 5 to 15 s (the recording guide: over 15 s makes training fail). Every
recording is then decoded and measured (``audio``), judged against ``Thresholds``
(``checks``) with its transcript (``text``); the edition's total duration is judged by the
caller, who knows the limits.
"""

from __future__ import annotations

import codecs
import dataclasses
import re
import zipfile
import zlib
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from reconciler.config.model import Edition
from reconciler.data import models, quality
from reconciler.data.audio import DECODE_ERRORS, AudioStats, Doubt, analyse
from reconciler.data.checks import Thresholds, judge_audio, judge_speakers
from reconciler.data.digest import DigestCache
from reconciler.data.entries import Entry
from reconciler.data.facts import Facts, FactSource, wav_facts, wav_info
from reconciler.data.files import BLOCK_SIZE
from reconciler.data.lock import UPDATE_COMMAND
from reconciler.data.report import FileRow, Report
from reconciler.data.text import judge_text_facts, text_facts
from reconciler.wav import WavError, WavInfo, read_wav_info

SENTENCE_MAX_SECONDS = 15.0
SENTENCE_MIN_SECONDS = 5.0
SHOWN_MISSING = 10
TEXT_CHARS_READ = 1 << 20  # a transcript longer than this (hours of text) is judged by its start
_ANALYSABLE_RATES = range(8000, 192001)
_SENTENCE_NAME = re.compile(r"[0-9]+\.(wav|txt)")
_READ_ERRORS = (
    OSError,
    EOFError,
    RuntimeError,
    NotImplementedError,
    zipfile.BadZipFile,
    zlib.error,
)


@dataclass(frozen=True)
class AudioRules:
    sample_rates: tuple[int, ...]
    bit_depths: tuple[int, ...]
    thresholds: Thresholds = field(default_factory=Thresholds)
    language: str | None = None


@dataclass
class Measured:
    """Per recording what the table shows; the total counts toward the edition's limits."""

    rows: list[FileRow] = field(default_factory=list)
    total_seconds: float = 0.0
    not_run: tuple[str, ...] = ()


def check_dataset(
    entries: Sequence[Entry],
    edition: Edition,
    *,
    segments: bool,
    rules: AudioRules,
    report: Report,
    cache: DigestCache | None = None,
) -> Measured:
    top = []
    for entry in entries:
        if is_finder_litter(entry.name):
            report.error(FINDER_LITTER, entry.name)
        elif "/" in entry.name or "\\" in entry.name:
            report.error("not at the top level, where MetaStudio looks for files", entry.name)
        elif entry.name.lower().endswith((".wav", ".txt")):
            top.append(entry)
        else:
            report.error("neither a .wav recording nor a .txt text", entry.name)
    wavs = [e for e in top if e.name.lower().endswith(".wav")]
    texts = [e for e in top if e.name.lower().endswith(".txt")]
    checker = _Checker(rules, report, cache)
    checker.sampled = quality.choose([(e.name, quality.content_token(e), e.size) for e in wavs])
    if _is_long_recording(wavs, texts, edition, segments):
        checker.long(wavs, texts, edition)
    else:
        checker.sentences(top, edition, segments)
    pitches = {r.name: r.f0_median for r in checker.measured.rows if r.f0_median is not None}
    judge_speakers(pitches, rules.thresholds, report)
    if checker.decoded and models.missing():
        checker.measured.not_run = models.missing()
        report.warning(
            f"checks not run: {', '.join(models.missing())} (the audio extra: "
            f"{models.INSTALL_HINT})"
        )
    for row in checker.measured.rows:
        row.worst = report.worst(row.name)
    return checker.measured


FINDER_LITTER = (
    "macOS Finder metadata or a hidden file, not training data (the review refuses it): "
    "zip the files without it, or declare their folder as data: {dir: ...}"
)


def is_finder_litter(name: str) -> bool:
    """``__MACOSX/`` folders, ``.DS_Store`` and AppleDouble ``._`` files, and hidden names."""
    parts = name.replace("\\", "/").split("/")
    return parts[0] == "__MACOSX" or any(part.startswith(".") for part in parts)


def _is_long_recording(
    wavs: list[Entry], texts: list[Entry], edition: Edition, segments: bool
) -> bool:
    if not edition.takes_segments:
        return True
    if segments or len(wavs) != 1 or len(texts) > 1:
        return False
    # A lone 0.wav beside 0.txt is an incomplete sentence set more likely than a long take.
    paired = texts and texts[0].name[:-4] == wavs[0].name[:-4]
    return not (paired and _SENTENCE_NAME.fullmatch(wavs[0].name))


class _Checker:
    def __init__(self, rules: AudioRules, report: Report, cache: DigestCache | None) -> None:
        self.rules = rules
        self.report = report
        self.cache = cache
        self.facts = FactSource(cache)
        self.measured = Measured()
        self.decoded = 0
        self.sampled: frozenset[str] = frozenset()  # scored by DNSMOS whatever they measure

    def _unknown(self, entry: Entry, what: str) -> None:
        """A pointer whose content is not here, and the lock does not say ``what`` of it."""
        self.report.error(
            f"a Git LFS pointer whose content is not checked out, and reconciler.lock "
            f"has no {what} of it: run `{UPDATE_COMMAND}` where the data is present "
            "(or fetch it with git lfs pull)",
            entry.name,
        )

    def _header(self, entry: Entry, facts: Facts) -> WavInfo | None:
        """The header from the facts, else read (and added to them); None: reported."""
        known = facts.get("wav")
        if isinstance(known, dict) and "error" in known:
            self.report.error(f"not a usable WAV file: {known['error']}", entry.name)
            return None
        info = wav_info(known)
        if info is not None:
            return info
        if entry.pointer:
            self._unknown(entry, "WAV header")
            return None
        try:
            with self.facts.open(entry) as stream:
                info = read_wav_info(stream, entry.size)
        except WavError as error:
            facts["wav"] = {"error": str(error)}
            self.facts.keep(entry, facts)
            self.report.error(f"not a usable WAV file: {error}", entry.name)
            return None
        except _READ_ERRORS as error:
            self.report.error(f"unreadable: {error}", entry.name)
            return None
        facts["wav"] = wav_facts(info)
        self.facts.keep(entry, facts)
        return info

    def long(self, wavs: list[Entry], texts: list[Entry], edition: Edition) -> None:
        report = self.report
        if len(wavs) != 1:
            report.error(
                f"the {edition.name} edition takes one long recording (a single .wav file), "
                f"found {len(wavs)} .wav files"
            )
        for text in texts:
            report.error(
                "a long recording goes alone (MetaStudio takes one .wav, no transcript): "
                "remove this file",
                text.name,
            )
        if len(wavs) == 1:
            self.wav(wavs[0], sentence=False)

    def sentences(self, top: list[Entry], edition: Edition, segments: bool) -> None:
        report = self.report
        count = edition.sentence_count or 0
        by_name = {entry.name: entry for entry in top}
        expected = [f"{i}.{ext}" for i in range(count) for ext in ("wav", "txt")]
        missing = [name for name in expected if name not in by_name]
        extra = sorted(set(by_name) - set(expected))
        if missing or extra:
            pairs = sum(f"{i}.wav" in by_name and f"{i}.txt" in by_name for i in range(count))
            alternative = "" if segments else " or one long recording"
            report.error(
                f"found {pairs} complete sentence pairs; the {edition.name} edition takes "
                f"exactly {count} (0.wav/0.txt to {count - 1}.wav/{count - 1}.txt){alternative}"
            )
        if missing:
            shown = ", ".join(missing[:SHOWN_MISSING])
            hidden = len(missing) - SHOWN_MISSING
            more = f" and {hidden} more" if hidden > 0 else ""
            report.error(f"missing {shown}{more}")
        for name in extra:
            report.error(f"not one of the {count} sentence pairs", name)
        rates: dict[int, str] = {}
        for i in range(count):
            stats = None
            if wav := by_name.get(f"{i}.wav"):
                info, stats = self.wav(wav, sentence=True)
                if info is not None:
                    rates.setdefault(info.sample_rate, wav.name)
            if text := by_name.get(f"{i}.txt"):
                self.text(text, stats)
        if len(rates) > 1:
            mixed = ", ".join(f"{rate} Hz ({name})" for rate, name in sorted(rates.items()))
            report.warning(f"recordings mix sample rates: {mixed}; record them all alike")

    def wav(self, entry: Entry, *, sentence: bool) -> tuple[WavInfo | None, AudioStats | None]:
        report, rules = self.report, self.rules
        facts = self.facts.of(entry)
        info = self._header(entry, facts)
        if info is None:
            return None, None
        name = entry.name
        usable = _check_format(info, name, rules, report)
        seconds = info.duration_seconds
        if info.data_bytes == 0:
            report.error("no audio in it", name)
            return info, None
        if sentence and seconds > SENTENCE_MAX_SECONDS:
            problem = "longer than 15 s (MetaStudio training fails on sentences over 15 s)"
            report.error(problem, name, f"{seconds:.1f} s")
        elif sentence and seconds < SENTENCE_MIN_SECONDS:
            problem = "shorter than 5 s (the recording guide asks for 5 to 15 s per sentence)"
            report.warning(problem, name, f"{seconds:.1f} s")
        self.measured.total_seconds += seconds
        row = FileRow(name, seconds, _format(info))
        self.measured.rows.append(row)
        if not usable:
            return info, None
        stats = self._measure(entry, info, facts)
        if stats is not None:
            self.decoded += 1
            row.speech_seconds, row.speech_dbfs, row.snr_db = (
                stats.speech_seconds,
                stats.speech_dbfs,
                stats.snr_db,
            )
            row.dnsmos_sig, row.dnsmos_bak, row.dnsmos_ovrl = (
                stats.dnsmos_sig,
                stats.dnsmos_bak,
                stats.dnsmos_ovrl,
            )
            row.f0_median = stats.f0_median
            judge_audio(stats, name, rules.thresholds, report, long_take=not sentence)
        return info, stats

    def _measure(self, entry: Entry, info: WavInfo, facts: Facts) -> AudioStats | None:
        """The recording's measurements: DNSMOS included if it is in the sample or the
        others doubt it (``quality``), left out otherwise even when a record holds it."""
        current = models.available()
        light = tuple(check for check in current if check != models.DNSMOS)
        wanted = entry.name in self.sampled
        doubt = None if wanted else quality.doubt(self.rules.thresholds)
        found = self._record(entry, info, facts, current if wanted else light, doubt)
        if found is None or "error" in found:
            return self._decoded(entry, found)
        stats = AudioStats.from_dict(found)
        if stats is None or wanted or models.DNSMOS not in current:
            return stats
        if quality.doubted(stats, self.rules.thresholds):
            if stats.dnsmos_sig is None and not entry.pointer:
                return self._decoded(entry, self._record(entry, info, facts, current))
            return stats
        return dataclasses.replace(stats, dnsmos_sig=None, dnsmos_bak=None, dnsmos_ovrl=None)

    def _decoded(self, entry: Entry, found: dict[str, object] | None) -> AudioStats | None:
        if found is not None and "error" in found:
            self.report.error(f"audio cannot be decoded: {found['error']}", entry.name)
            return None
        return None if found is None else AudioStats.from_dict(found)

    def _record(
        self,
        entry: Entry,
        info: WavInfo,
        facts: Facts,
        checks: tuple[str, ...],
        doubt: Doubt | None = None,
    ) -> dict[str, object] | None:
        """A record of ``checks`` (or of more: a record with DNSMOS serves one without)."""

        def compute() -> tuple[dict[str, object], int]:
            try:
                with self.facts.open(entry) as stream:
                    stats, _ = analyse(stream, info.bits_per_sample, checks, doubt)
            except (*DECODE_ERRORS, *_READ_ERRORS) as error:
                return {"error": str(error) or type(error).__name__}, 0
            return stats.to_dict(), 0  # the bytes were counted as they were read

        def usable(record: object, pointer: bool) -> bool:
            """An error, or measurements this version reads, made with the models installed
            now (a pointer's, from the lock, are taken as the author's machine made them)."""
            if not isinstance(record, dict):
                return False
            if "error" in record:
                return True
            stats = AudioStats.from_dict(record)
            made = () if stats is None else tuple(stats.models)
            return stats is not None and (pointer or made in (checks, models.available()))

        found = facts.get("analysis")
        if not usable(found, entry.pointer):
            if entry.pointer:  # none, or from another version: only the bytes can tell
                self._unknown(entry, "current measurements")
                return None
            if self.cache is None or entry.identity is None:
                found = compute()[0]
            else:
                # Measured with other models installed is measured again.
                identity = [*entry.identity, "models", *checks]
                if doubt is not None:  # DNSMOS too if these find the file doubtful
                    identity += ["doubt", doubt.min_speech_share, doubt.advised_snr_db]
                found = self.cache.analysis(identity, compute)
                if not usable(found, False):
                    found = compute()[0]  # a record from another version: measure again
            facts["analysis"] = found
            self.facts.keep(entry, facts)
        assert isinstance(found, dict)
        return found

    def text(self, entry: Entry, stats: AudioStats | None) -> None:
        facts = self.facts.of(entry)
        known = facts.get("text")
        if not isinstance(known, dict):
            if entry.pointer:
                self._unknown(entry, "transcript facts")
                return
            known = _read_text(self.facts.open, entry)
            if "unreadable" in known:  # not kept: it may be readable next time
                self.report.error(f"unreadable: {known['unreadable']}", entry.name)
                return
            facts["text"] = known
            self.facts.keep(entry, facts)
        if "error" in known:
            detail = known.get("detail")
            shown = None if detail is None else str(detail)
            self.report.error(str(known["error"]), entry.name, shown)
            return
        speech = stats.speech_seconds if stats is not None else None
        judge_text_facts(
            known, entry.name, self.rules.language, speech, self.rules.thresholds, self.report
        )


def _check_format(info: WavInfo, name: str, rules: AudioRules, report: Report) -> bool:
    """Header facts against the rules; True if the samples are worth decoding."""
    usable = True
    if not info.is_pcm:
        report.error("not PCM audio", name, f"format {info.audio_format:#06x}")
        usable = False
    if info.channels != 1:
        report.error("not mono (training needs one channel)", name, f"{info.channels} ch")
        usable = usable and info.channels <= 8
    if info.sample_rate not in rules.sample_rates:
        allowed = ", ".join(str(r) for r in rules.sample_rates)
        rate = f"{info.sample_rate} Hz"
        report.error(f"sample rate not allowed (allowed: {allowed} Hz)", name, rate)
    elif info.sample_rate != rules.thresholds.sample_rate:
        wanted = f"{rules.thresholds.sample_rate} Hz"
        report.warning(f"the recording guide asks for {wanted}", name, f"{info.sample_rate} Hz")
    if info.bits_per_sample not in rules.bit_depths:
        allowed = ", ".join(str(b) for b in rules.bit_depths)
        depth = f"{info.bits_per_sample}-bit"
        report.error(f"bit depth not allowed (allowed: {allowed})", name, depth)
        usable = False
    return usable and info.sample_rate in _ANALYSABLE_RATES


def _format(info: WavInfo) -> str:
    channels = "mono" if info.channels == 1 else f"{info.channels} ch"
    return f"{info.sample_rate / 1000:g} kHz {info.bits_per_sample}-bit {channels}"


def _read_text(
    opener: Callable[[Entry], AbstractContextManager[BinaryIO]], entry: Entry
) -> dict[str, Any]:
    """The transcript's facts (text.text_facts) from its start (TEXT_CHARS_READ), the whole
    file checked as UTF-8; or what is wrong with it ("error", "detail"; "unreadable")."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    total = offset = 0  # offset: where the bytes the decoder still holds begin
    kept: list[str] = []
    length = 0
    try:
        with opener(entry) as stream:
            while block := stream.read(BLOCK_SIZE):
                text = decoder.decode(block)
                if length < TEXT_CHARS_READ:
                    kept.append(text)
                    length += len(text)
                total += len(block)
                offset = total - len(decoder.getstate()[0])
            decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        return {"error": "not UTF-8 text", "detail": f"byte {offset + error.start}"}
    except _READ_ERRORS as error:
        return {"unreadable": str(error)}
    text = "".join(kept)[:TEXT_CHARS_READ].replace("\ufeff", "")
    if not text.strip():
        return {"error": "empty (each recording needs its text)"}
    return text_facts(text)
