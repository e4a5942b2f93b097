"""What the speech models hear in a recording, fed block by block as it is decoded.

Everything is run on 16 kHz audio, the rate both models were trained at: the recording is
low-pass filtered and decimated (``Resampler``). Per 32 ms window Silero VAD gives the
probability of speech; per 9.01 s window DNSMOS P.835 gives SIG, BAK and OVRL, mapped through
Microsoft's published polynomial fits and averaged, as its reference ``dnsmos_local.py`` does
(a recording shorter than a window is doubled until it fills one), but on one window every
DNSMOS_HOP instead of one a second: the model is most of the analysis' cost, and a room's
sound does not change within a take (the preflight also runs it on a sample of the files
only, ``quality``). Praat's pitch tracker gives F0 for the
speaker checks, and the spectrum the share of energy above 4 kHz (a telephone line carries
none). Memory stays flat: at most one DNSMOS window of 16 kHz samples is kept.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from reconciler.data import models

RATE = 16000
VAD_WINDOW = 512  # 32 ms, Silero's window at 16 kHz
DNSMOS_WINDOW = 144160  # 9.01 s
# The reference hops its windows by 1 s; each window costs the model about 0.2 s on an idle
# core, so overlapping windows would cost 9 times as much for the same average. Here a
# window starts every 2 minutes (the first at the start): 7.5% of a long take is scored,
# which keeps the whole analysis above 100x real time (bench speech); the same model,
# window and calibration.
DNSMOS_HOP = 120 * RATE
# Microsoft's calibration of the raw outputs (dnsmos_local.py, is_personalized_MOS=False).
_SIG = np.poly1d([-0.08397278, 1.22083953, 0.0052439])
_BAK = np.poly1d([-0.13166888, 1.60915514, -0.39604546])
_OVR = np.poly1d([-0.06766283, 1.11546468, 0.04602535])
PITCH_FLOOR, PITCH_CEILING = 60.0, 500.0  # Hz: from deep male voices to children
# A pitch every 20 ms: the speaker check reads a file's median, which 10 ms steps (Praat's
# default) give to within 0.1 Hz at twice the cost.
PITCH_STEP = 0.02
PITCH_RATE = RATE // 2
_TAPS_PER_PHASE = 16
_TELEPHONE_HZ = 4000.0
_HIGH_BAND = (4200.0, 7600.0)
_LOW_BAND = (100.0, 3800.0)
_SEGMENT = 2048
_FREQS = np.fft.rfftfreq(_SEGMENT, 1 / RATE)
_HANN = np.hanning(_SEGMENT).astype(np.float32)

Floats = npt.NDArray[np.float32]
# DNSMOS scores of the windows heard lately, by their samples' hash: a window costs the model
# some 20 ms and hashing it well under 1 ms, and datasets repeat takes (and runs repeat files).
_SCORED: OrderedDict[bytes, tuple[float, float, float]] = OrderedDict()
_SCORED_KEPT = 4096


def pitch_band(x: Floats) -> npt.NDArray[np.float64]:
    """16 kHz samples halved to 8 kHz for Praat (a [1/4, 1/2, 1/4] low-pass, then every other
    sample): pitch lies far under 4 kHz, and Praat's tracker costs 40% less at half the rate
    (the same medians on the test voices to 0.3 Hz)."""
    y: npt.NDArray[np.float64] = (0.25 * x[0:-2:2] + 0.5 * x[1:-1:2] + 0.25 * x[2::2]).astype(
        np.float64
    )
    return y


class Resampler:
    """Any rate to 16 kHz: a windowed-sinc low-pass at 0.45 of the lower rate, evaluated only
    at the output instants (polyphase for whole-number ratios, linear between the filtered
    input samples otherwise). numpy has no resampler and the ``audio`` extra stays small."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        self.ratio = rate / RATE
        factor = max(1.0, self.ratio)
        taps = int(_TAPS_PER_PHASE * np.ceil(factor))
        n = np.arange(taps) - (taps - 1) / 2
        cutoff = 0.45 / factor  # of the input rate: 7.2 kHz at 16 kHz out
        h = 2 * cutoff * np.sinc(2 * cutoff * n) * np.kaiser(taps, 8.0)
        self.taps = (h / h.sum()).astype(np.float32)
        # For a whole-number ratio, the taps reversed in contiguous groups of ``ratio``
        # (``_decimate``; a view with negative strides would keep numpy from BLAS).
        whole = self.ratio == int(self.ratio)
        group = int(self.ratio) if whole else 1
        self._groups = np.ascontiguousarray(self.taps[::-1]).reshape(-1, group)
        self._history = np.zeros(taps - 1, dtype=np.float32)
        self._position = 0.0  # the next output instant, in input samples
        self._last = np.zeros(0, dtype=np.float32)

    def __call__(self, block: Floats) -> Floats:
        if self.rate == RATE or block.size == 0:
            return block
        x = np.concatenate([self._history, block])
        keep = len(self.taps) - 1
        if self.ratio == int(self.ratio):
            step = int(self.ratio)
            start = int(self._position)
            count = max(0, (len(x) - keep - start + step - 1) // step)
            out: Floats = self._decimate(x[start:], step, count)
            self._position = start + count * step - (len(x) - keep)
        else:
            # The previous block's last filtered sample leads, so that an output instant
            # between two blocks interpolates across them.
            filtered = np.concatenate(
                [self._last, np.convolve(x, self.taps[::-1], mode="valid").astype(np.float32)]
            )
            at = np.arange(self._position, len(filtered) - 1, self.ratio)
            out = np.interp(at, np.arange(len(filtered)), filtered).astype(np.float32)
            following = at[-1] + self.ratio if len(at) else self._position
            self._position = following - (len(filtered) - 1)
            self._last = filtered[-1:]
        self._history = x[len(x) - keep :]
        return out

    def _decimate(self, y: Floats, step: int, count: int) -> Floats:
        """Output k is the taps over y[k*step:][:taps]. The taps are a whole number of
        ``step``-sample groups (16 per phase), so with y viewed as rows of ``step`` samples
        (contiguous, no copy) output k is the sum over m of row k+m times tap group m: one
        BLAS matrix-vector product per group. 2.8x faster than one product over overlapping
        sliding windows, which numpy cannot hand to BLAS (bench speech, the resampler was
        the largest cost outside the models)."""
        groups = self._groups
        if count == 0:
            return np.zeros(0, dtype=np.float32)
        rows = y[: (count + len(groups) - 1) * step].reshape(-1, step)
        out: Floats = rows[:count] @ groups[0]
        for m in range(1, len(groups)):
            out += rows[m : m + count] @ groups[m]
        return out


class Listener:
    """Fed mono float samples at the recording's rate; ``result()`` gives the measures."""

    def __init__(self, rate: int, checks: Sequence[str], *, keep: bool = False) -> None:
        """``keep``: without DNSMOS among ``checks``, keep the windows it would score, for
        ``late_dnsmos`` (the preflight asks for it once the other measures doubt a file)."""
        self.checks = tuple(checks)
        self._keep = keep and models.DNSMOS not in checks
        self._kept: list[Floats] = []
        self._resample = Resampler(rate)
        self._pending = np.zeros(0, dtype=np.float32)  # 16 kHz samples not yet in a VAD window
        self._vad: Any = models.fresh_vad(RATE) if models.VAD in checks else None
        self.speech_probability: list[float] = []
        self._dnsmos: Any = models.dnsmos_session() if models.DNSMOS in checks else None
        self._window = np.zeros(0, dtype=np.float32)  # the DNSMOS window being filled
        self._seen = 0  # 16 kHz samples fed to ``_quality`` so far
        self._next = 0  # where the next DNSMOS window starts
        self._short: list[Floats] = []  # the start, in case the whole file is under a window
        self._scores: list[tuple[float, float, float]] = []
        self._pitch = models.PITCH in checks
        self._f0: list[Floats] = []
        self.samples = 0
        self._bands = np.zeros(2)

    def feed(self, block: Floats) -> None:
        low = self._resample(block)
        self.samples += low.size
        self._spectrum(low)
        if self._vad is not None:
            self._voice_activity(low)
        if self._dnsmos is not None or self._keep:
            self._quality(low)
        if self._pitch:
            self._track_pitch(low)

    def _spectrum(self, x: Floats) -> None:
        # Power summed over Hann-windowed 128 ms segments (a power-of-two FFT, all at once);
        # what is left over at a block's end (under 128 ms in 10 s) is not needed for a ratio.
        whole = x.size - x.size % _SEGMENT
        if not whole:
            return
        segments = x[:whole].reshape(-1, _SEGMENT) * _HANN  # no leakage across the band edge
        power = np.abs(np.fft.rfft(segments, axis=1)) ** 2
        total, freqs = power.sum(axis=0), _FREQS
        for band, (lo, hi) in enumerate((_HIGH_BAND, _LOW_BAND)):
            self._bands[band] += float(total[(freqs >= lo) & (freqs < hi)].sum())

    def _voice_activity(self, x: Floats) -> None:
        pending = np.concatenate([self._pending, x])
        whole = pending.size - pending.size % VAD_WINDOW
        process: Callable[[memoryview], float] = self._vad.process
        probabilities = self.speech_probability
        for start in range(0, whole, VAD_WINDOW):
            probabilities.append(process(pending[start : start + VAD_WINDOW].data))
        self._pending = pending[whole:].copy()

    def _quality(self, x: Floats) -> None:
        if sum(part.size for part in self._short) < DNSMOS_WINDOW:
            self._short.append(x)
        start = self._seen  # where x[0] lies in the recording
        self._seen += x.size
        while x.size:
            if not self._window.size:  # skip to the next window's start
                skip = self._next - start
                if skip >= x.size:
                    return
                if skip > 0:
                    x, start = x[skip:], self._next
            need = DNSMOS_WINDOW - self._window.size
            self._window = np.concatenate([self._window, x[:need]])
            if self._window.size < DNSMOS_WINDOW:
                return
            self._score(self._window)
            self._window = np.zeros(0, dtype=np.float32)
            x, start = x[need:], start + need
            self._next += DNSMOS_HOP

    def _score(self, window: Floats) -> None:
        if self._keep:
            self._kept.append(window.copy())
            return
        key = hashlib.blake2b(window.tobytes(), digest_size=16).digest()
        scores = _SCORED.get(key)
        if scores is None:
            session = self._dnsmos
            name = session.get_inputs()[0].name
            sig, bak, ovr = session.run(None, {name: window[np.newaxis, :]})[0][0]
            scores = _SCORED[key] = (float(_SIG(sig)), float(_BAK(bak)), float(_OVR(ovr)))
            while len(_SCORED) > _SCORED_KEPT:
                _SCORED.popitem(last=False)
        else:
            _SCORED.move_to_end(key)
        self._scores.append(scores)

    def _dnsmos_result(self) -> dict[str, float]:
        if not self._scores and self._short:
            tiled = np.concatenate(self._short)
            while 0 < tiled.size < DNSMOS_WINDOW:  # doubled, as the reference does
                tiled = np.concatenate([tiled, tiled])
            if tiled.size:
                self._score(tiled[:DNSMOS_WINDOW])
        if not self._scores:
            return {}
        sig, bak, ovr = np.mean(np.array(self._scores), axis=0)
        return {"dnsmos_sig": float(sig), "dnsmos_bak": float(bak), "dnsmos_ovrl": float(ovr)}

    def late_dnsmos(self) -> dict[str, float]:
        """DNSMOS of the windows kept (``keep``), scored now."""
        self._keep = False
        self._dnsmos = models.dnsmos_session()
        for window in self._kept:
            self._score(window)
        self._kept = []
        return self._dnsmos_result()

    def _track_pitch(self, x: Floats) -> None:
        import parselmouth

        if x.size < RATE // 10:
            return
        sound = parselmouth.Sound(pitch_band(x), sampling_frequency=PITCH_RATE)
        pitch = sound.to_pitch_ac(
            time_step=PITCH_STEP, pitch_floor=PITCH_FLOOR, pitch_ceiling=PITCH_CEILING
        )
        f0 = np.asarray(pitch.selected_array["frequency"], dtype=np.float32)
        self._f0.append(f0[f0 > 0])

    def result(self) -> dict[str, Any]:
        found: dict[str, Any] = {"models": list(self.checks)}
        high, low = self._bands
        found["high_band_db"] = float(10 * np.log10(max(high, 1e-20) / max(low, 1e-20)))
        if self._dnsmos is not None:
            found.update(self._dnsmos_result())
        if self._pitch:
            f0 = np.concatenate(self._f0) if self._f0 else np.zeros(0)
            found["voiced_seconds"] = float(f0.size * PITCH_STEP)
            found["f0_median"] = float(np.median(f0)) if f0.size * PITCH_STEP >= 0.5 else None
        return found
