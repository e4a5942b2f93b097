"""What the emulated review hears in a recording: format, levels, clipping, noise, pauses.

The emulator's own measurement, independent of the client's preflight (it stands in for the
service, so it must not share the client's idea of a good recording). Samples are read in
one-second blocks, so memory stays flat however long the take; the per-frame levels kept for
the statistics cost 8 bytes per 20 ms.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
import soundfile

from reconciler.emulator.hearing import VAD_SECONDS, Ears

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
TRUSTED_SHARE = 0.1  # under it, the voice-activity model's speech time is not used ...
TRUSTED_COVER = 0.6
# Under this share heard as speech, a recording may be music, tones or noise (checks).
NOT_SPEECH_SHARE = 0.2
# Recordings up to this long are measured once per content: reviews see the same sentences
# again and again (resubmitted jobs), and the models cost far more than hashing them.
REMEMBERED_SECONDS = 20
_MEASURED: dict[tuple[bytes, bool], Measures] = {}


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
    # Per 20 ms frame whether the voice-activity model hears speech; None without the model,
    # or when it hears little of the voice (a voice it does not know is judged by levels).
    voiced: np.ndarray | None = None
    dnsmos: dict[str, float] | None = None  # sig, bak, ovrl (1 to 5)
    vad_share: float | None = None  # of the recording heard as speech; None without the model

    @property
    def clipped_share(self) -> float:
        return self.clipped / self.samples if self.samples else 0.0

    @property
    def speech_share(self) -> float:
        return float(np.mean(self.frame_db > SPEECH_GATE_DB)) if self.frame_db.size else 0.0

    @property
    def speech_db(self) -> float:
        """Mean level of the frames that carry speech: by the model when installed, else
        those above the speech gate."""
        if self.voiced is not None and self.voiced.any():
            loud = self.frame_db[self.voiced]
        else:
            loud = self.frame_db[self.frame_db > SPEECH_GATE_DB]
        return _db(float(np.mean(10 ** (loud / 10)))) if loud.size else FLOOR_DB

    @property
    def noise_db(self) -> float:
        """The room tone: with the model, the median level of the frames at least 0.1 s
        from speech (and not digital zero), when there are 0.2 s of them; otherwise the
        level the quietest 5% of frames stay under."""
        if self.voiced is not None:
            near = np.convolve(self.voiced.astype(np.int8), np.ones(11, dtype=np.int8), "same")
            room = self.frame_db[(near == 0) & ~self.zero]
            if room.size >= 0.2 * FRAMES_PER_SECOND:
                return _db(float(np.median(10 ** (room / 10))))
        return float(np.percentile(self.frame_db, 5)) if self.frame_db.size else FLOOR_DB

    @property
    def syllables_per_minute(self) -> float | None:
        """Speaking rate: peaks of the level contour in speech (a syllable's vowel is its
        loudest part), at least 100 ms apart and within 15 dB of the speech level."""
        speech = self.voiced if self.voiced is not None else self.frame_db > SPEECH_GATE_DB
        seconds = float(np.count_nonzero(speech)) / FRAMES_PER_SECOND
        if seconds < 1.0:
            return None
        level = np.convolve(self.frame_db, np.ones(3) / 3, "same")
        reach = 5  # frames either side: 100 ms
        padded = np.pad(level, reach, constant_values=FLOOR_DB)
        windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * reach + 1)
        peaks = (level >= windows.max(axis=1)) & speech & (level > self.speech_db - 15)
        return float(np.count_nonzero(peaks)) / seconds * 60

    @property
    def snr_db(self) -> float:
        return self.speech_db - self.noise_db

    def longest_without_pause(self) -> tuple[float, float]:
        """(start, length) in seconds of the longest stretch of sound without a pause, from
        its first sound frame to its last."""
        live = self.frame_db[~self.zero]
        if not live.size:
            return 0.0, 0.0
        if self.voiced is not None:
            sound = self.voiced & ~self.zero
        else:
            floor, peaks = np.percentile(live, 10), np.percentile(live, 95)
            gate = floor + min(20.0, max(6.0, (peaks - floor) / 2))
            sound = (self.frame_db > gate) & ~self.zero
        starts, lengths = _runs(sound)
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


def measure(stream: BinaryIO, *, quality: bool = False) -> Measures:
    """Read the whole recording once; FormatProblem if it is not one the service takes.
    DNSMOS is scored when ``quality`` asks for it, or when the recording may not be speech
    (the voice-activity model hears under NOT_SPEECH_SHARE of it, or too little to be
    trusted)."""
    levels: list[np.ndarray] = []
    zeros: list[np.ndarray] = []
    clipped = longest = samples = 0
    carry = np.zeros(0, dtype=np.float64)
    ears = Ears()
    key: tuple[bytes, bool] | None = None
    with format_of(stream) as audio:
        try:
            blocks: Iterable[np.ndarray]
            if audio.frames <= REMEMBERED_SECONDS * RATE:
                recording = audio.read(dtype="int16")
                digest = hashlib.sha1(recording.tobytes(), usedforsecurity=False).digest()
                key = (digest, quality)
                if key in _MEASURED:
                    return _MEASURED[key]
                blocks = (recording[at : at + RATE] for at in range(0, len(recording), RATE))
            else:
                blocks = audio.blocks(blocksize=RATE, dtype="int16", always_2d=False)
            for block in blocks:
                ears.hear(block / np.float32(32768.0))
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
    heard = ears.speech()
    voiced = None
    if heard is not None:
        # Each 20 ms frame takes the verdict of the 32 ms window its middle falls in.
        at = ((np.arange(frame_db.size) + 0.5) / FRAMES_PER_SECOND / VAD_SECONDS).astype(int)
        voiced = np.zeros(frame_db.size, dtype=bool)
        inside = at < heard.size
        voiced[inside] = heard[at[inside]]
    share = float(np.mean(voiced)) if voiced is not None and voiced.size else None
    trusted = None
    if voiced is not None and share is not None and share >= TRUSTED_SHARE:
        # ... and only if it hears most of what stands above the speech gate, as it does in
        # a real voice (it hears little of a synthesiser's).
        loud = frame_db > SPEECH_GATE_DB
        if np.count_nonzero(voiced & loud) >= TRUSTED_COVER * np.count_nonzero(loud):
            trusted = voiced
    # DNSMOS decides what the VAD leaves open: little heard as speech, or too little of the
    # sound for its speech time to be used (music, noise, or a voice it does not know).
    doubt = share is not None and (share < NOT_SPEECH_SHARE or trusted is None)
    dnsmos = ears.dnsmos() if quality or doubt else None
    found = Measures(
        samples / RATE, frame_db, clipped, longest, samples, zero, trusted, dnsmos, share
    )
    if key is not None:
        _MEASURED[key] = found
        if len(_MEASURED) > 1024:  # forget the oldest
            del _MEASURED[next(iter(_MEASURED))]
    return found


def _longest_true_run(flags: np.ndarray) -> int:
    if not flags.any():
        return 0
    padded = np.concatenate([[0], flags.astype(np.int8), [0]])
    edges = np.flatnonzero(np.diff(padded))
    return int(np.max(edges[1::2] - edges[::2]))
