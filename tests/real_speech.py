"""Real speech for the data-rule tests: espeak-ng reads Chinese (or English) sentences in a
male or a female voice, sox resamples them.

A synthesiser's silences are digital zero, which no microphone gives; a room tone (pink
noise at -62 dBFS RMS, as a quiet studio's) is added under everything. Formats other than
48 kHz 16-bit mono are made by sox from the same take. The tools are Debian packages
(``.ci/run`` installs them): a machine without them fails these tests with a message saying
so, never skips them.

What they make is kept on disk for the session and across it (keyed by the command and its
input, under pytest's temporary root), and each take in memory: every test worker would
otherwise run espeak-ng and sox again for the same sentences.
"""

from __future__ import annotations

import functools
import getpass
import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from reconciler.wav import wav_header

RATE = 48000
TOOLS = ("espeak-ng", "sox")
ROOM_TONE_DBFS = -62.0
PEAK_DBFS = -4.0
EDGE_SECONDS = 0.4
# Five sentences of 6 to 10 s as espeak-ng reads them at 150 words a minute; UTF-8 with
# full-width punctuation, as transcripts are.
SENTENCES = (
    "这是第一句训练文本，用来检查录音和文字是否一致。",  # noqa: RUF001
    "今天天气很好，我们一起去公园散步，看看湖边的花开了没有。",  # noqa: RUF001
    "请在安静的房间里录音，每句话之间停顿两到三秒钟。",  # noqa: RUF001
    "这段声音用于训练一个新的语音模型，请读得清楚自然。",  # noqa: RUF001
    "如果有任何问题，请联系我们的客服人员，我们会尽快回复。",  # noqa: RUF001
)


ENGLISH = (  # each read for 6 to 9 s, as the guide's 5 to 15 s sentences
    "This is the first training sentence, read clearly and slowly in a quiet room at home.",
    "The weather is fine today, so after lunch we will walk to the park beside the lake.",
    "Please leave two or three seconds of silence after every sentence that you read aloud.",
    "These recordings will train a new voice model, so please speak naturally and clearly.",
    "If you have any questions at all, contact our support team and we will reply soon.",
)
# espeak-ng voices: the language, and a female variant of it.
MANDARIN, MANDARIN_FEMALE, ENGLISH_MALE, ENGLISH_FEMALE = "cmn", "cmn+f3", "en-us", "en-us+f3"


def require_tools() -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.fail(
            f"these tests read real speech made by {' and '.join(missing)}, which is not "
            "installed: apt-get install espeak-ng sox (.ci/run does)",
            pytrace=False,
        )


def _cache_dir() -> Path:
    """Beside pytest's own temporary folders (``pytest-of-USER``), shared by its workers."""
    return Path(tempfile.gettempdir()) / f"pytest-of-{getpass.getuser()}" / "real-speech"


def _run(command: list[str], data: bytes | None = None) -> bytes:
    """The command's output, from the disk cache when it ran before on the same input."""
    key = hashlib.sha256(repr(command).encode() + b"\0" + (data or b"")).hexdigest()
    return _kept(key, lambda: _output(command, data))


def _output(command: list[str], data: bytes | None = None) -> bytes:
    require_tools()
    return subprocess.run(command, input=data, capture_output=True, check=True).stdout


def _kept(key: str, make: Callable[[], bytes]) -> bytes:
    kept = _cache_dir() / key
    try:
        return kept.read_bytes()
    except OSError:
        pass
    out = make()
    kept.parent.mkdir(parents=True, exist_ok=True)
    partial = kept.with_name(f"{key}.{os.getpid()}")
    partial.write_bytes(out)
    partial.replace(kept)  # whole or not at all, whichever worker writes it
    return out


@functools.cache
def sentence(index: int, voice: str = MANDARIN) -> np.ndarray:
    """Sentence ``index`` (of the voice's language, round robin) as float samples at 48 kHz,
    trimmed."""
    texts = _texts(voice)
    text = texts[index % len(texts)]
    spoken = _run(["espeak-ng", "-v", voice, "-s", "150", "--stdout", text])
    to_raw = ["-t", "raw", "-r", str(RATE), "-e", "signed", "-b", "16", "-c", "1", "-"]
    raw = _run(["sox", "-t", "wav", "-", *to_raw], spoken)
    samples = np.frombuffer(raw, dtype="<i2").astype(np.float64) / 32768.0
    voiced = np.flatnonzero(np.abs(samples) > 1e-3)
    return samples[voiced[0] : voiced[-1] + 1]


def _texts(voice: str) -> tuple[str, ...]:
    return SENTENCES if voice.startswith("cmn") else ENGLISH


def transcript(index: int, voice: str = MANDARIN) -> str:
    texts = _texts(voice)
    return texts[index % len(texts)] + "\n"


def pink(count: int, seed: int, dbfs: float = ROOM_TONE_DBFS) -> np.ndarray:
    """``count`` samples of pink noise (power falling 3 dB an octave from 50 Hz, nothing
    under 20 Hz) at ``dbfs`` RMS: a room's tone, or a noise of that level."""
    size = 1 << max(0, count - 1).bit_length()  # a power of two: an odd length's FFT is slow
    spectrum = np.fft.rfft(np.random.default_rng(seed).normal(0.0, 1.0, size))
    freqs = np.fft.rfftfreq(size, 1 / RATE)
    spectrum /= np.sqrt(np.maximum(freqs, 50.0))
    spectrum[freqs < 20.0] = 0
    noise = np.fft.irfft(spectrum, size)[:count]
    noise *= 10 ** (dbfs / 20) / float(np.sqrt(np.mean(noise**2)))
    return noise


def take(
    *parts: int | float, seed: int = 0, voice: str = MANDARIN, edge: float = EDGE_SECONDS
) -> np.ndarray:
    """A recording of the parts in order: an int is that sentence, a float that many seconds
    of pause; ``edge`` seconds of room tone before and after, peaks at PEAK_DBFS. A copy:
    callers may change it."""
    copied: np.ndarray = _take(parts, seed, voice, edge).copy()
    return copied


@functools.lru_cache(maxsize=256)
def _take(parts: tuple[int | float, ...], seed: int, voice: str, edge: float) -> np.ndarray:
    margin = np.zeros(round(edge * RATE))
    pieces = [margin]
    for part in parts:
        if isinstance(part, int):
            pieces.append(sentence(part, voice))
        else:
            pieces.append(np.zeros(round(part * RATE)))
    speech = np.concatenate([*pieces, margin])
    speech *= 10 ** (PEAK_DBFS / 20) / float(np.max(np.abs(speech)))
    recorded: np.ndarray = speech + pink(speech.size, seed)
    recorded.flags.writeable = False
    return recorded


def pcm16(samples: np.ndarray) -> bytes:
    """48 kHz 16-bit mono WAV bytes, what the recording guide asks for."""
    data = np.clip(np.round(samples * 32767), -32768, 32767).astype("<i2").tobytes()
    return wav_header(len(data), sample_rate=RATE) + data


def converted(wav: bytes, *options: str) -> bytes:
    """The WAV converted by sox, as in ``sox in.wav -r 44100 out.wav`` with ``options``."""
    return _sox(wav, list(options), [])


def processed(wav: bytes, *effects: str) -> bytes:
    """The WAV through sox's ``effects``, as in ``sox in.wav out.wav rate 8k rate 48k``."""
    return _sox(wav, [], list(effects))


def _sox(wav: bytes, options: list[str], effects: list[str]) -> bytes:
    """sox from file to file (a WAV written to a pipe has no lengths in its header)."""

    def make() -> bytes:
        with tempfile.TemporaryDirectory() as scratch:
            source, target = Path(scratch) / "in.wav", Path(scratch) / "out.wav"
            source.write_bytes(wav)
            _output(["sox", str(source), *options, str(target), *effects])
            return target.read_bytes()

    return _kept(hashlib.sha256(repr((options, effects)).encode() + b"\0" + wav).hexdigest(), make)


def tones(seconds: float, seed: int = 0) -> np.ndarray:
    """Music-like tones: notes of a pentatonic scale, a quarter second each, with harmonics
    and a plucked envelope, over the room tone; peaks at PEAK_DBFS."""
    rng = np.random.default_rng(seed)
    note = round(0.25 * RATE)
    t = np.arange(note) / RATE
    envelope = np.exp(-6.0 * t)
    scale = 220.0 * 2 ** (np.array([0, 2, 4, 7, 9, 12]) / 12)
    notes = []
    for pitch in rng.choice(scale, size=round(seconds / 0.25)):
        wave = sum(np.sin(2 * np.pi * pitch * k * t) / k for k in (1, 2, 3))
        notes.append(envelope * wave)
    music = np.concatenate(notes)
    music *= 10 ** (PEAK_DBFS / 20) / float(np.max(np.abs(music)))
    out: np.ndarray = music + pink(music.size, seed)
    return out
