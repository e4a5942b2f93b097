"""Speech time from Silero VAD's per-window probabilities, as its own timestamp helper reads
them (``get_speech_timestamps``): speech starts above 0.5 and ends below 0.35, a gap under
100 ms does not end it, a burst under 250 ms is not speech, and 30 ms of padding is kept at
each end. The result is laid on the analysis' 20 ms frames.

The signal-to-noise ratio follows from it: the mean energy of the speech frames over that of
the frames that are neither speech (nor within 0.04 s of it) nor digital zero. A recording with
less than NOISE_MIN_SECONDS of such frames has no pause to hear the room in; the noise is
then the 5th percentile of all sounding frames, which in continuous speech lands inside the
speech and so reads the SNR low: such an estimate is marked, and refuses nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

VAD_STEP = 0.032
THRESHOLD = 0.5
NEG_THRESHOLD = THRESHOLD - 0.15
MIN_SPEECH = 0.25
MIN_SILENCE = 0.1
PAD = 0.03
NOISE_MARGIN = 0.04
NOISE_MIN_SECONDS = 0.1
# Under this share of the sounding frames heard as speech, the model's verdict is not used
# for speech time: a voice it does not know (synthetic, sung) must not be read as silence; whether
# such a recording is speech at all is judged with DNSMOS (see checks).
TRUSTED_SHARE = 0.1
# ... nor when it hears under 60% of what stands out of the room tone as speech: in a real
# voice it hears all of it (and more: the quiet ends of words).
TRUSTED_COVER = 0.6
# ... nor when the frames it calls pauses are over 10 dB louder than the quietest tenth of the
# recording: in a real voice its pauses are the room tone; where it misses a voice they are not.
TRUSTED_NOISE_DB = 10.0

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]


def speech_windows(probabilities: Sequence[float]) -> BoolArray:
    """Per VAD window, whether it is speech, with hysteresis, gap bridging and padding."""
    p = np.asarray(probabilities, dtype=np.float64)
    speech = np.zeros(p.size, dtype=bool)
    active = False
    for i, value in enumerate(p):  # hysteresis is sequential; 31 windows a second
        active = value >= THRESHOLD or (active and value >= NEG_THRESHOLD)
        speech[i] = active
    speech = _fill(speech, round(MIN_SILENCE / VAD_STEP), value=False)
    speech = _fill(speech, round(MIN_SPEECH / VAD_STEP), value=True)
    pad = max(1, round(PAD / VAD_STEP))
    padded: BoolArray = speech.copy()
    for shift in range(1, pad + 1):
        padded[shift:] |= speech[:-shift]
        padded[:-shift] |= speech[shift:]
    return padded


def _fill(mask: BoolArray, shortest: int, *, value: bool) -> BoolArray:
    """Runs of ``value`` shorter than ``shortest`` windows flipped; for gaps (False) only
    those between speech."""
    result: BoolArray = mask.copy()
    edges = np.diff(np.concatenate(([0], (mask == value).view(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    for start, end in zip(starts, ends, strict=True):
        inner = value or (start > 0 and end < mask.size)
        if end - start < shortest and inner:
            result[start:end] = not value
    return result


def on_frames(windows: BoolArray, frames: int, step: float) -> BoolArray:
    """The window mask read at each frame's centre."""
    if windows.size == 0:
        return np.zeros(frames, dtype=bool)
    index = ((np.arange(frames) + 0.5) * step / VAD_STEP).astype(np.int64)
    inside = index < windows.size  # the last partial window was never judged: not speech
    result = np.zeros(frames, dtype=bool)
    result[inside] = windows[index[inside]]
    return result


def snr(energy: FloatArray, speech: BoolArray, zero: BoolArray, step: float) -> tuple[float, bool]:
    """(SNR in dB, whether it is the fallback estimate); see the module docstring."""
    sounding = ~zero
    if not speech.any():
        return 0.0, True
    margin = max(1, round(NOISE_MARGIN / step))
    near = speech.copy()
    for shift in range(1, margin + 1):
        near[shift:] |= speech[:-shift]
        near[:-shift] |= speech[shift:]
    quiet = ~near & sounding
    loud = float(energy[speech & sounding].mean()) if (speech & sounding).any() else 0.0
    if quiet.sum() * step >= NOISE_MIN_SECONDS:
        noise = float(np.median(energy[quiet]))
        fallback = False
    else:
        noise = float(np.percentile(energy[sounding], 5))
        fallback = True
    return float(10 * np.log10(max(loud, 1e-30) / max(noise, 1e-30))), fallback
