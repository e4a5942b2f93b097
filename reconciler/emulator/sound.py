"""What the emulated review hears in a recording: format, levels, clipping, noise, pauses.

The emulator's own measurement, independent of the client's preflight (it stands in for the
service, so it must not share the client's idea of a good recording). Samples are read in
one-second blocks, so memory stays flat however long the take; the per-frame levels kept for
the statistics cost 8 bytes per 20 ms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
import soundfile

RATE = 48000
FRAME = RATE // 50  # 20 ms
FULL_SCALE = 32767
FLOOR_DB = -120.0  # digital silence, instead of minus infinity
# A frame this loud or louder may carry speech; quieter ones are room tone or nothing.
SPEECH_GATE_DB = -50.0
# A sentence pause, defined as the client's preflight defines it (README, "Training-data
# checks"): PAUSE_SECONDS or more of frames at or under the sound gate, bursts shorter than
# CLICK_SECONDS (clicks, lip smacks) not counting. The gate sits above the room tone (the
# 10th percentile of the frames that are not digital zero) by half the way to the speech
# peaks (their 95th percentile), but at least 6 and at most 20 dB.
PAUSE_SECONDS = 1.0
CLICK_SECONDS = 0.1
FRAMES_PER_SECOND = RATE // FRAME


class FormatProblem(Exception):
    """The file is not 48 kHz, 16-bit, mono PCM WAV, or cannot be decoded."""


@dataclass(frozen=True)
class Measures:
    seconds: float
    frame_db: np.ndarray  # RMS level of each 20 ms frame, dBFS
    clipped: int  # samples at full scale
    longest_clip_run: int  # consecutive full-scale samples
    samples: int
    zero: np.ndarray  # frames whose every sample is 0: an edit, never a microphone

    @property
    def clipped_share(self) -> float:
        return self.clipped / self.samples if self.samples else 0.0

    @property
    def speech_share(self) -> float:
        return float(np.mean(self.frame_db > SPEECH_GATE_DB)) if self.frame_db.size else 0.0

    @property
    def speech_db(self) -> float:
        """Mean level of the frames that may carry speech."""
        loud = self.frame_db[self.frame_db > SPEECH_GATE_DB]
        return _db(float(np.mean(10 ** (loud / 10)))) if loud.size else FLOOR_DB

    @property
    def noise_db(self) -> float:
        """The room tone: the level the quietest 5% of frames stay under."""
        return float(np.percentile(self.frame_db, 5)) if self.frame_db.size else FLOOR_DB

    @property
    def snr_db(self) -> float:
        return self.speech_db - self.noise_db

    def longest_without_pause(self) -> tuple[float, float]:
        """(start, length) in seconds of the longest stretch of sound without a pause, from
        its first sound frame to its last."""
        live = self.frame_db[~self.zero]
        if not live.size:
            return 0.0, 0.0
        floor, peaks = np.percentile(live, 10), np.percentile(live, 95)
        gate = floor + min(20.0, max(6.0, (peaks - floor) / 2))
        starts, lengths = _runs((self.frame_db > gate) & ~self.zero)
        kept = lengths >= round(CLICK_SECONDS * FRAMES_PER_SECOND)
        starts, ends = starts[kept], starts[kept] + lengths[kept]
        if not starts.size:
            return 0.0, 0.0
        breaks = np.flatnonzero(starts[1:] - ends[:-1] >= round(PAUSE_SECONDS * FRAMES_PER_SECOND))
        first = np.concatenate(([0], breaks + 1))
        last = np.concatenate((breaks, [starts.size - 1]))
        widest = int(np.argmax(ends[last] - starts[first]))
        start, end = starts[first[widest]], ends[last[widest]]
        return float(start / FRAMES_PER_SECOND), float((end - start) / FRAMES_PER_SECOND)


def _runs(flags: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(start, length) of every run of True."""
    edges = np.diff(np.concatenate(([0], flags.astype(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    return starts, np.flatnonzero(edges == -1) - starts


def _db(power: float) -> float:
    return max(FLOOR_DB, 10 * float(np.log10(power))) if power > 0 else FLOOR_DB


def format_of(stream: BinaryIO) -> soundfile.SoundFile:
    try:
        audio = soundfile.SoundFile(stream)
    except (RuntimeError, TypeError, ValueError) as error:  # LibsndfileError is a RuntimeError
        raise FormatProblem(f"not a readable WAV file ({error})") from None
    wanted = []
    if audio.format not in ("WAV", "WAVEX"):
        wanted.append(f"WAV (it is {audio.format})")
    if audio.subtype != "PCM_16":
        wanted.append(f"16-bit PCM (it is {audio.subtype})")
    if audio.samplerate != RATE:
        wanted.append(f"48 kHz (it is {audio.samplerate} Hz)")
    if audio.channels != 1:
        wanted.append(f"mono (it has {audio.channels} channels)")
    if wanted:
        audio.close()
        raise FormatProblem("audio must be " + ", ".join(wanted))
    if audio.frames == 0:
        audio.close()
        raise FormatProblem("audio holds no samples")
    return audio


def measure(stream: BinaryIO) -> Measures:
    """Read the whole recording once; FormatProblem if it is not one the service takes."""
    levels: list[np.ndarray] = []
    zeros: list[np.ndarray] = []
    clipped = longest = samples = 0
    carry = np.zeros(0, dtype=np.float64)
    with format_of(stream) as audio:
        try:
            for block in audio.blocks(blocksize=RATE, dtype="int16", always_2d=False):
                at_full = (block >= FULL_SCALE) | (block <= -FULL_SCALE - 1)
                clipped += int(np.count_nonzero(at_full))
                longest = max(longest, _longest_true_run(at_full))
                samples += len(block)
                carry = np.concatenate([carry, block.astype(np.float64) / 32768.0])
                whole = len(carry) - len(carry) % FRAME
                frames = carry[:whole].reshape(-1, FRAME)
                # Variance, not mean square: a constant offset is no sound, and must neither
                # pass for noise nor fill the pauses (the preflight measures frames alike).
                levels.append(np.var(frames, axis=1))
                zeros.append(np.asarray(~frames.any(axis=1)))
                carry = carry[whole:]
        except RuntimeError as error:
            raise FormatProblem(f"audio cannot be decoded ({error})") from None
    if carry.size:
        levels.append(np.array([np.var(carry)]))
        zeros.append(np.array([not carry.any()]))
    power = np.concatenate(levels) if levels else np.zeros(0)
    frame_db = np.maximum(FLOOR_DB, 10 * np.log10(np.maximum(power, 1e-12)))
    zero = np.concatenate(zeros) if zeros else np.zeros(0, dtype=bool)
    return Measures(samples / RATE, frame_db, clipped, longest, samples, zero)


def _longest_true_run(flags: np.ndarray) -> int:
    if not flags.any():
        return 0
    padded = np.concatenate([[0], flags.astype(np.int8), [0]])
    edges = np.flatnonzero(np.diff(padded))
    return int(np.max(edges[1::2] - edges[::2]))
