"""What a training set must contain for its edition, and what each recording and text must be.

Shapes (API doc sections 0 and 9): basic and advanced take exactly 20 or 100 sentence pairs
``N.wav`` + ``N.txt`` (N from 0), or one long recording; premium and third-party take one long
recording only; segment uploads are sentence pairs only. Sentence recordings last 5 to 15 s
(the recording guide: over 15 s makes training fail). Long recordings get no duration limit
here: the per-edition limits are tenant configuration, not something to guess.
"""

from __future__ import annotations

import codecs
import re
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from reconciler.config.model import Edition
from reconciler.data.entries import Entry
from reconciler.data.files import BLOCK_SIZE
from reconciler.data.report import Report
from reconciler.wav import WavError, WavInfo, read_wav_info

SENTENCE_MAX_SECONDS = 15.0
SENTENCE_MIN_SECONDS = 5.0
SHOWN_MISSING = 10
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


def check_dataset(
    entries: Sequence[Entry], edition: Edition, *, segments: bool, rules: AudioRules, report: Report
) -> None:
    top = []
    for entry in entries:
        if "/" in entry.name or "\\" in entry.name:
            report.error("not at the top level, where MetaStudio looks for files", entry.name)
        elif entry.name.lower().endswith((".wav", ".txt")):
            top.append(entry)
        else:
            report.error("neither a .wav recording nor a .txt text", entry.name)
    wavs = [e for e in top if e.name.lower().endswith(".wav")]
    texts = [e for e in top if e.name.lower().endswith(".txt")]
    if _is_long_recording(wavs, texts, edition, segments):
        _check_long(wavs, texts, edition, rules, report)
    else:
        _check_sentences(top, edition, segments, rules, report)


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


def _check_long(
    wavs: list[Entry], texts: list[Entry], edition: Edition, rules: AudioRules, report: Report
) -> None:
    if len(wavs) != 1:
        report.error(
            f"the {edition.name} edition takes one long recording (a single .wav file), "
            f"found {len(wavs)} .wav files"
        )
    if len(texts) > 1:
        report.error("only one .txt transcript may go with a long recording", texts[1].name)
    if len(wavs) == 1:
        _check_wav(wavs[0], rules, report, sentence=False)
    for text in texts[:1]:
        _check_text(text, report)


def _check_sentences(
    top: list[Entry], edition: Edition, segments: bool, rules: AudioRules, report: Report
) -> None:
    count = edition.sentence_count or 0
    by_name = {entry.name: entry for entry in top}
    expected = [f"{i}.{ext}" for i in range(count) for ext in ("wav", "txt")]
    missing = [name for name in expected if name not in by_name]
    extra = sorted(set(by_name) - set(expected))
    if missing or extra:
        pairs = sum(f"{i}.wav" in by_name and f"{i}.txt" in by_name for i in range(count))
        alternative = "" if segments else " or one long recording"
        report.error(
            f"found {pairs} complete sentence pairs; the {edition.name} edition takes exactly "
            f"{count} (0.wav/0.txt to {count - 1}.wav/{count - 1}.txt){alternative}"
        )
    if missing:
        shown = ", ".join(missing[:SHOWN_MISSING])
        more = f" and {len(missing) - SHOWN_MISSING} more" if len(missing) > SHOWN_MISSING else ""
        report.error(f"missing {shown}{more}")
    for name in extra:
        report.error(f"not one of the {count} sentence pairs", name)
    rates: dict[int, str] = {}
    for i in range(count):
        if wav := by_name.get(f"{i}.wav"):
            info = _check_wav(wav, rules, report, sentence=True)
            if info is not None:
                rates.setdefault(info.sample_rate, wav.name)
        if text := by_name.get(f"{i}.txt"):
            _check_text(text, report)
    if len(rates) > 1:
        mixed = ", ".join(f"{rate} Hz ({name})" for rate, name in sorted(rates.items()))
        report.warning(f"recordings mix sample rates: {mixed}; record them all alike")


def _check_wav(
    entry: Entry, rules: AudioRules, report: Report, *, sentence: bool
) -> WavInfo | None:
    try:
        with entry.open() as stream:
            info = read_wav_info(stream, entry.size)
    except WavError as error:
        report.error(f"not a usable WAV file: {error}", entry.name)
        return None
    except _READ_ERRORS as error:
        report.error(f"unreadable: {error}", entry.name)
        return None
    name = entry.name
    if not info.is_pcm:
        report.error("not PCM audio", name, f"format {info.audio_format:#06x}")
    if info.channels != 1:
        report.error("not mono (training needs one channel)", name, f"{info.channels} ch")
    if info.sample_rate not in rules.sample_rates:
        allowed = ", ".join(str(r) for r in rules.sample_rates)
        rate = f"{info.sample_rate} Hz"
        report.error(f"sample rate not allowed (allowed: {allowed} Hz)", name, rate)
    if info.bits_per_sample not in rules.bit_depths:
        allowed = ", ".join(str(b) for b in rules.bit_depths)
        depth = f"{info.bits_per_sample}-bit"
        report.error(f"bit depth not allowed (allowed: {allowed})", name, depth)
    seconds = info.duration_seconds
    if info.data_bytes == 0:
        report.error("no audio in it", name)
    elif sentence and seconds > SENTENCE_MAX_SECONDS:
        problem = "longer than 15 s (MetaStudio training fails on sentences over 15 s)"
        report.error(problem, name, f"{seconds:.1f} s")
    elif sentence and seconds < SENTENCE_MIN_SECONDS:
        problem = "shorter than 5 s (the recording guide asks for 5 to 15 s per sentence)"
        report.warning(problem, name, f"{seconds:.1f} s")
    return info


def _check_text(entry: Entry, report: Report) -> None:
    decoder = codecs.getincrementaldecoder("utf-8")()
    total = offset = 0  # offset: where the bytes the decoder still holds begin
    has_text = False
    try:
        with entry.open() as stream:
            while block := stream.read(BLOCK_SIZE):
                text = decoder.decode(block)
                has_text = has_text or bool(text.replace("\ufeff", "").strip())
                total += len(block)
                offset = total - len(decoder.getstate()[0])
            decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        report.error("not UTF-8 text", entry.name, f"byte {offset + error.start}")
        return
    except _READ_ERRORS as error:
        report.error(f"unreadable: {error}", entry.name)
        return
    if not has_text:
        report.error("empty (each recording needs its text)", entry.name)
