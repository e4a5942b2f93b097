"""Small, valid training datasets for examples and tests: real PCM tones, real UTF-8 text.

Audio is one generated second of tone repeated, so a 100-sentence set is written in well under
a second instead of synthesising every sample.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

from reconciler.data.package import build_package
from reconciler.wav import make_wav, wav_header

# Real Chinese punctuation on purpose: transcripts are UTF-8 with full-width marks.
SENTENCE_TEXT = "这是第{index}句训练文本，用来检查录音和文字是否一致。"  # noqa: RUF001
# Whole-hertz tones fit a whole number of cycles in one second, so the repeats are seamless.
TONES = (220.0, 247.0, 262.0, 294.0, 330.0)


@functools.cache
def _one_second(sample_rate: int, frequency: float) -> bytes:
    return make_wav(1.0, sample_rate=sample_rate, frequency=frequency)[len(wav_header(0)) :]


def tone_wav(seconds: float, *, sample_rate: int = 16000, frequency: float = TONES[0]) -> bytes:
    """A mono 16-bit PCM WAV of ``seconds``."""
    second = _one_second(sample_rate, frequency)
    size = int(seconds * sample_rate) * 2
    whole, rest = divmod(size, len(second))
    data = second * whole + second[:rest]
    return wav_header(len(data), sample_rate=sample_rate) + data


def write_sentence_pairs(
    folder: Path, count: int, seconds: float = 6.0, *, sample_rate: int = 16000
) -> list[Path]:
    """``0.wav``/``0.txt`` ... ``count-1``: a basic (20) or advanced (100) sentence set."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for index in range(count):
        wav = folder / f"{index}.wav"
        wav.write_bytes(
            tone_wav(seconds, sample_rate=sample_rate, frequency=TONES[index % len(TONES)])
        )
        text = folder / f"{index}.txt"
        text.write_text(SENTENCE_TEXT.format(index=index) + "\n", encoding="utf-8")
        written += [wav, text]
    return written


def write_long_recording(path: Path, seconds: float, *, sample_rate: int = 16000) -> Path:
    """One long recording, as premium and third-party take (basic and advanced too)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(tone_wav(seconds, sample_rate=sample_rate))
    return path


def write_package(
    zip_path: Path, *, count: int | None = 20, seconds: float = 6.0, sample_rate: int = 16000
) -> Path:
    """A deterministic zip of ``count`` sentence pairs, or of one long recording if None."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        if count is None:
            write_long_recording(folder / "recording.wav", seconds, sample_rate=sample_rate)
        else:
            write_sentence_pairs(folder, count, seconds, sample_rate=sample_rate)
        zip_path.parent.mkdir(parents=True, exist_ok=True)
        with zip_path.open("wb") as dest:
            build_package(folder, dest)
    return zip_path
