"""Generated training data for the examples, tests and benchmarks: the one place it is made.

Not speech, but shaped like it where a review or the preflight looks: 48 kHz, 16-bit, mono
harmonic voices cut into syllables and words, over a quiet room tone, with real UTF-8
transcripts. Two voices, because tests measure against their exact levels:

- the review voice (``sentence_wav``, ``long_take_wav``, ``write_sentence_pairs``...): pitch
  drifting per seed, peaks at -3 dBFS, noise floor at -65 dBFS (SNR about 45 dB), 0.4 s of room
  tone at each end; what the quickstart and the emulator's audit tests use. Its random draws
  come from numpy's PCG64 bit stream, whose values numpy guarantees across versions.
- the steady voice (``steady_signal``, ``steady_wav``, ``write_steady_pairs``...): a fixed
  rhythm of 4 syllables a second in words of 1.6 s, peaking near -12 dBFS over a -70 dBFS
  floor, 0.3 s of silence at each end, any sample rate; what the preflight's tests measure.
  Everything is vectorised numpy, so a 100-sentence set takes well under a second.

Long takes of both pause PAUSE_SECONDS between sentences. The same arguments give the same bytes.
"""

from __future__ import annotations

import functools
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from reconciler.data.package import build_package
from reconciler.wav import make_wav, wav_header

RATE = 48000
LEAD_SECONDS = 0.4
PAUSE_SECONDS = 2.5
PEAK_DBFS = -3.0
NOISE_DBFS = -65.0
HARMONICS = 12
# The zip layout the editions take; dates fixed so that packages are byte-for-byte repeatable.
_ZIP_DATE = (2020, 1, 1, 0, 0, 0)

TEXTS = {
    # Real full-width punctuation on purpose: transcripts are UTF-8 with Chinese marks.
    "CN": "这是第{index}句训练文本，用来检查录音和文字是否一致。",  # noqa: RUF001
    "EN": "This is training sentence number {index}, read clearly in a quiet room.",
}


def _uniform(seed: int, count: int) -> np.ndarray:
    """``count`` floats in [0, 1) from the version-stable PCG64 bit stream."""
    raw = np.random.PCG64(seed).random_raw(count)
    return np.asarray((raw >> np.uint64(11)).astype(np.float64) * (1.0 / (1 << 53)))


def _voiced(seconds: float, seed: int) -> np.ndarray:
    """Syllables of a harmonic voice, grouped into words, at unit peak before scaling."""
    frames = round(seconds * RATE)
    draws = _uniform(seed, 4096)
    t = np.arange(frames) / RATE
    # One speaker across a voice's sentences: 140 to 170 Hz is 3 semitones, within what one
    # person's sentences vary (the checks flag a file 6 semitones from the voice's median).
    base = 140.0 + 30.0 * draws[0]
    f0 = base * (1.0 + 0.08 * np.sin(2 * np.pi * 0.4 * t + 6.0 * draws[1]))
    phase = 2 * np.pi * np.cumsum(f0) / RATE
    voice = sum(np.sin(k * phase + draws[k]) / k for k in range(1, HARMONICS + 1))
    envelope = np.zeros(frames)
    position, n = 0, 8
    while position < frames:
        syllables = 1 + int(draws[n] * 3)  # one to three syllables per word
        for _ in range(syllables):
            length = int((0.14 + 0.12 * draws[n + 1]) * RATE)  # 4 to 7 syllables a second
            end = min(position + length, frames)
            shape = np.sin(np.linspace(0.0, np.pi, length))[: end - position] ** 2
            envelope[position:end] = shape * (0.5 + 0.5 * draws[n + 2])
            position, n = end, (n + 3) % 4000
        position += int((0.06 + 0.12 * draws[n]) * RATE)  # the gap between words
    signal: np.ndarray = voice * envelope
    return signal


def _room_tone(frames: int, seed: int) -> np.ndarray:
    """A flat noise floor at NOISE_DBFS (uniform noise: RMS = amplitude / sqrt(3))."""
    amplitude = 10 ** (NOISE_DBFS / 20) * np.sqrt(3.0)
    noise: np.ndarray = (_uniform(seed ^ 0x5EED, frames) * 2.0 - 1.0) * amplitude
    return noise


def pcm16(samples: np.ndarray, sample_rate: int) -> bytes:
    """A mono 16-bit PCM WAV of float samples."""
    data = np.clip(np.round(samples * 32767), -32768, 32767).astype("<i2").tobytes()
    return wav_header(len(data), sample_rate=sample_rate) + data


def _pcm(parts: list[np.ndarray], seed: int) -> bytes:
    """Concatenate, scale the speech to PEAK_DBFS, add room tone, quantise to 16-bit PCM."""
    speech = np.concatenate(parts)
    peak = float(np.max(np.abs(speech))) or 1.0
    return pcm16(speech * (10 ** (PEAK_DBFS / 20) / peak) + _room_tone(len(speech), seed), RATE)


def _padded(seconds: float, seed: int) -> list[np.ndarray]:
    lead_seconds = min(LEAD_SECONDS, seconds / 4)  # tests' tiny sentences stay that short
    lead = np.zeros(round(lead_seconds * RATE))
    voiced = _voiced(seconds - 2 * len(lead) / RATE, seed)
    return [lead, voiced, lead]


@functools.cache
def sentence_wav(seconds: float, seed: int = 0) -> bytes:
    """One sentence of about ``seconds`` (room tone included), as a WAV file's bytes."""
    return _pcm(_padded(seconds, seed), seed)


def long_take_wav(sentences: int, seconds: float = 6.0, seed: int = 0) -> bytes:
    """One long recording: ``sentences`` of ``seconds`` each, with PAUSE_SECONDS between."""
    pause = np.zeros(int((PAUSE_SECONDS - 2 * LEAD_SECONDS) * RATE))
    parts: list[np.ndarray] = []
    for index in range(sentences):
        if index:
            parts.append(pause)
        parts += _padded(seconds, seed + index)
    return _pcm(parts, seed)


def transcript(index: int, language: str = "CN") -> str:
    return TEXTS[language].format(index=index) + "\n"


def write_sentence_pairs(
    folder: Path, count: int, seconds: float = 6.0, *, language: str = "CN", seed: int = 0
) -> list[Path]:
    """``0.wav``/``0.txt`` ... ``count-1``: a basic (20) or advanced (100) sentence set.

    Five different sentences repeat, so large sets cost five syntheses.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for index in range(count):
        wav = folder / f"{index}.wav"
        wav.write_bytes(sentence_wav(seconds, seed + index % 5))
        text = folder / f"{index}.txt"
        text.write_text(transcript(index, language), encoding="utf-8")
        written += [wav, text]
    return written


def write_long_recording(path: Path, sentences: int, seconds: float = 6.0, seed: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(long_take_wav(sentences, seconds, seed))
    return path


def write_package(zip_path: Path, members: dict[str, bytes]) -> Path:
    """A deterministic zip (fixed dates, sorted names) of the given members."""
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(members):
            archive.writestr(zipfile.ZipInfo(name, _ZIP_DATE), members[name])
    return zip_path


def sentence_members(count: int, seconds: float = 6.0, *, language: str = "CN") -> dict[str, bytes]:
    """The members of a sentence package, for ``write_package``."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        write_sentence_pairs(folder, count, seconds, language=language)
        return {path.name: path.read_bytes() for path in folder.iterdir()}


# The steady voice.
EDGE_SECONDS = 0.3
SENTENCE_SECONDS = 9.0  # 20 of them make the 3 min a basic voice is advised
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


def steady_signal(seconds: float, sample_rate: int, seed: int = 0) -> np.ndarray:
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


def steady_long_signal(seconds: float, sample_rate: int) -> np.ndarray:
    """Sentences of about SENTENCE_SECONDS with PAUSE_SECONDS pauses, as one long take."""
    parts, left, index = [], seconds, 0
    while left > 0:
        length = min(SENTENCE_SECONDS + (index % 3) * 0.5, left)
        if left - length - PAUSE_SECONDS < 2.0:  # no room for another sentence: end on this one
            length = left
        parts.append(steady_signal(length, sample_rate, index))
        left -= length
        if left > 0:
            pause = min(PAUSE_SECONDS, left)
            rng = np.random.default_rng(1000 + index)
            parts.append(rng.normal(0.0, 10 ** (-70 / 20), int(pause * sample_rate)))
            left -= pause
        index += 1
    return np.concatenate(parts) if parts else np.zeros(0)


@functools.lru_cache(maxsize=32)
def steady_wav(seconds: float, *, sample_rate: int = RATE, seed: int = 0) -> bytes:
    """A sentence recording that the preflight's audio checks accept."""
    return pcm16(steady_signal(seconds, sample_rate, seed), sample_rate)


def write_steady_pairs(
    folder: Path, count: int, seconds: float = SENTENCE_SECONDS, *, sample_rate: int = RATE
) -> list[Path]:
    """``0.wav``/``0.txt`` ... ``count-1``: a basic (20) or advanced (100) sentence set."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for index in range(count):
        wav = folder / f"{index}.wav"
        wav.write_bytes(steady_wav(seconds, sample_rate=sample_rate, seed=index % 5))
        text = folder / f"{index}.txt"
        text.write_text(transcript(index), encoding="utf-8")
        written += [wav, text]
    return written


def write_steady_recording(path: Path, seconds: float, *, sample_rate: int = RATE) -> Path:
    """One long recording, as premium and third-party take (basic and advanced too)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pcm16(steady_long_signal(seconds, sample_rate), sample_rate))
    return path


def write_steady_package(
    zip_path: Path,
    *,
    count: int | None = 20,
    seconds: float = SENTENCE_SECONDS,
    sample_rate: int = RATE,
) -> Path:
    """A zip of ``count`` steady sentence pairs, or of one long recording if None, packaged
    as reconciler packages a folder."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        if count is None:
            write_steady_recording(folder / "recording.wav", seconds, sample_rate=sample_rate)
        else:
            write_steady_pairs(folder, count, seconds, sample_rate=sample_rate)
        zip_path.parent.mkdir(parents=True, exist_ok=True)
        with zip_path.open("wb") as dest:
            build_package(folder, dest)
    return zip_path


def transcript_for(seconds: float) -> str:
    """Chinese text at a natural pace (about 4 characters a second) for a long recording."""
    sentences = max(1, round(seconds / 5))
    return "".join(TEXTS["CN"].format(index=i) for i in range(sentences)) + "\n"


def one_page_pdf(text: str) -> bytes:
    """A minimal valid PDF showing one line of ASCII text: something a viewer can open."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%b\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%b\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(pdf)
