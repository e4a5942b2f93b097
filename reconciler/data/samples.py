"""Small, valid training datasets for examples and tests: speech-like PCM, real UTF-8 text.

The audio passes the preflight's measurements as a clean studio take would: syllables of a
harmonic voice (an F0 around 140 Hz and its overtones) at about 4 a second, grouped in words,
peaking near -12 dBFS over a room-noise floor at -70 dBFS, with 0.3 s of silence at each end
and, in long recordings, 2.5 s pauses between sentences. Everything is vectorised numpy, so a
100-sentence set takes well under a second.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import numpy as np

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
    """A mono 16-bit PCM WAV of ``seconds`` of steady tone: no speech, for format tests."""
    second = _one_second(sample_rate, frequency)
    size = int(seconds * sample_rate) * 2
    whole, rest = divmod(size, len(second))
    data = second * whole + second[:rest]
    return wav_header(len(data), sample_rate=sample_rate) + data


SAMPLE_RATE = 48000  # what the recording guide asks for
EDGE_SECONDS = 0.3
PAUSE_SECONDS = 2.5
SENTENCE_SECONDS = 9.0  # 20 of them make the 3 min a basic voice is advised


def speech_signal(seconds: float, sample_rate: int, seed: int = 0) -> np.ndarray:
    """Float samples in [-1, 1] of one sentence: ``seconds`` long, silence at both ends."""
    rng = np.random.default_rng(seed)
    n = int(seconds * sample_rate)
    t = np.arange(n) / sample_rate
    f0 = 130.0 + 10.0 * (seed % 5) + 20.0 * np.sin(2 * np.pi * 0.4 * t)
    phase = 2 * np.pi * np.cumsum(f0) / sample_rate
    voice = sum(np.sin(k * phase) / k for k in range(1, 6))
    syllables = np.sin(np.pi * 4.0 * t) ** 2
    words = (t % 1.6) < 1.45  # a 0.15 s gap after every word of six syllables
    inside = (t >= EDGE_SECONDS) & (t < seconds - EDGE_SECONDS)
    speech = 0.16 * voice * syllables * (words & inside)
    return speech + rng.normal(0.0, 10 ** (-70 / 20), n)


def long_signal(seconds: float, sample_rate: int) -> np.ndarray:
    """Sentences of about 6 s with 2.5 s pauses, as one long take."""
    parts, left, index = [], seconds, 0
    while left > 0:
        length = min(SENTENCE_SECONDS + (index % 3) * 0.5, left)
        if left - length - PAUSE_SECONDS < 2.0:  # no room for another sentence: end on this one
            length = left
        parts.append(speech_signal(length, sample_rate, index))
        left -= length
        if left > 0:
            pause = min(PAUSE_SECONDS, left)
            rng = np.random.default_rng(1000 + index)
            parts.append(rng.normal(0.0, 10 ** (-70 / 20), int(pause * sample_rate)))
            left -= pause
        index += 1
    return np.concatenate(parts) if parts else np.zeros(0)


def pcm16(samples: np.ndarray, sample_rate: int) -> bytes:
    """A mono 16-bit PCM WAV of float samples."""
    data = np.clip(np.round(samples * 32767), -32768, 32767).astype("<i2").tobytes()
    return wav_header(len(data), sample_rate=sample_rate) + data


@functools.lru_cache(maxsize=32)
def speech_wav(seconds: float, *, sample_rate: int = SAMPLE_RATE, seed: int = 0) -> bytes:
    """A sentence recording that the preflight's audio checks accept."""
    return pcm16(speech_signal(seconds, sample_rate, seed), sample_rate)


def write_sentence_pairs(
    folder: Path, count: int, seconds: float = SENTENCE_SECONDS, *, sample_rate: int = SAMPLE_RATE
) -> list[Path]:
    """``0.wav``/``0.txt`` ... ``count-1``: a basic (20) or advanced (100) sentence set."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for index in range(count):
        wav = folder / f"{index}.wav"
        wav.write_bytes(speech_wav(seconds, sample_rate=sample_rate, seed=index % 5))
        text = folder / f"{index}.txt"
        text.write_text(SENTENCE_TEXT.format(index=index) + "\n", encoding="utf-8")
        written += [wav, text]
    return written


def write_long_recording(path: Path, seconds: float, *, sample_rate: int = SAMPLE_RATE) -> Path:
    """One long recording, as premium and third-party take (basic and advanced too)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pcm16(long_signal(seconds, sample_rate), sample_rate))
    return path


def write_package(
    zip_path: Path,
    *,
    count: int | None = 20,
    seconds: float = SENTENCE_SECONDS,
    sample_rate: int = SAMPLE_RATE,
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


def transcript_for(seconds: float) -> str:
    """Chinese text at a natural pace (about 4 characters a second) for a long recording."""
    sentences = max(1, round(seconds / 5))
    return "".join(SENTENCE_TEXT.format(index=i) for i in range(sentences)) + "\n"
