"""Measure a recording the way a reviewer listens to it: level, noise, clipping, pauses.

Samples are decoded by libsndfile (through ``soundfile``) in blocks of whole 20 ms frames
and reduced with numpy, so an hour of 48 kHz audio costs a few MB of memory. Per frame only
the mean energy and "all digital zero" are kept (180,000 frames an hour); everything about
silence, speech and pauses is derived from those frames afterwards. The same blocks feed the
speech models (``listen``) when the ``audio`` extra is installed.

Which frames are speech comes from Silero VAD (``activity``), and the SNR is the speech
frames' energy over the pauses'. Without the model, the noise floor and speech level are
the 10th and 95th percentiles of the frame energies and a frame is speech when it stands
clearly above the floor (which reads continuous speech as noisier than it is). Digital zero
(every sample exactly 0) never occurs in a microphone recording: next to speech it marks an
edit, such as short clips spliced into one take.
"""

from __future__ import annotations

import functools
import types
import typing
from dataclasses import asdict, dataclass, field, fields, replace
from hashlib import blake2b
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt
import soundfile

from reconciler.data import activity, models
from reconciler.data.listen import Listener

FRAME_SECONDS = 0.02
FRAMES_PER_BLOCK = 512  # about 10 s of audio per decoded block
# A pause, the same in the emulator's review (README, "Training-data checks"): 1 s or more of
# frames no louder than the sound gate, bursts under 0.1 s (clicks, lip smacks) not counting.
# The guide asks for 2 to 3 s between sentences; a speaker who keeps to it never pauses less
# than 1 s, while pauses within a sentence (commas, breaths) stay well under it.
SENTENCE_PAUSE_SECONDS = 1.0
PAUSE_CLICK_SECONDS = 0.1
_GAP_FILL_SECONDS = 0.25  # gaps between syllables and words are still speech
_MIN_SPEECH_SECONDS = 0.1  # shorter bursts (clicks, breaths) are not speech
_FLOOR_DB = -120.0
_SHOWN_CUTS = 5
# libsndfile's own decoding failures, and what a hostile header makes numpy or cffi raise.
DECODE_ERRORS = (RuntimeError, ValueError, TypeError, OverflowError, MemoryError, EOFError)

BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class AudioStats:
    """What one recording measures; all levels in dBFS, all times in seconds."""

    seconds: float
    sample_rate: int
    channels: int
    subtype: str  # libsndfile's sample format, such as PCM_16
    peak_dbfs: float
    rms_dbfs: float  # the whole file
    speech_dbfs: float  # the frames taken as speech
    noise_dbfs: float
    snr_db: float
    dc_offset: float  # mean sample value, full scale = 1
    clipped_share: float  # of samples at full scale
    longest_clip_run: int  # consecutive full-scale samples
    leading_silence: float
    trailing_silence: float
    speech_seconds: float
    digital_silence_seconds: float
    cut_count: int  # digital zero right next to speech
    cuts_at: list[float] = field(default_factory=list)
    sentence_pauses: int = 0
    # Sound without a sentence pause, from its first sound to its last. Renamed from
    # longest_unpaused when the pause got its shared definition: cached records of the old
    # measure no longer load, so they are measured again.
    longest_without_pause: float = 0.0
    longest_without_pause_at: float = 0.0
    longest_pause: float = 0.0
    longest_pause_at: float = 0.0
    # The model checks that ran (models.VAD, DNSMOS, PITCH); a record measured without one
    # that is installed now is measured again.
    models: list[str] = field(default_factory=list)
    snr_fallback: bool = False  # no pause to measure the noise in (see ``activity``)
    speech_share: float | None = None  # of the sounding time, by the VAD
    dnsmos_sig: float | None = None
    dnsmos_bak: float | None = None
    dnsmos_ovrl: float | None = None
    f0_median: float | None = None  # Hz, over the voiced 10 ms frames
    voiced_seconds: float | None = None
    high_band_db: float | None = None  # energy at 4.2-7.6 kHz over 0.1-3.8 kHz
    # Whether speech time comes from the VAD (None: it did not run); False: it heard too
    # little of the sound as speech, which is then a voice only if DNSMOS hears one (checks).
    vad_trusted: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: Any) -> AudioStats | None:
        """The stats back from a cache record, or None if it does not hold them all."""
        hints = _field_types()
        if not isinstance(raw, dict) or set(raw) != set(hints):
            return None
        if not all(_fits(raw[name], hint) for name, hint in hints.items()):
            return None  # a damaged record or lock: measured again, or asked for again
        return cls(**raw)


@functools.cache
def _field_types() -> dict[str, Any]:
    hints = typing.get_type_hints(AudioStats)
    return {f.name: hints[f.name] for f in fields(AudioStats)}


def _fits(value: object, hint: Any) -> bool:
    """Is ``value`` (from JSON) of the field's type: int, float, str, bool, lists of them
    and optionals? A float field takes an int (JSON writes 2.0 as 2.0, a hand edit as 2)."""
    origin = typing.get_origin(hint)
    if origin in (types.UnionType, typing.Union):
        return any(_fits(value, arm) for arm in typing.get_args(hint))
    if origin is list:
        (item,) = typing.get_args(hint)
        return isinstance(value, list) and all(_fits(v, item) for v in value)
    if hint is type(None):
        return value is None
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(hint, type) and isinstance(value, hint)


class _Counting:
    """A read-only stream that counts the bytes libsndfile pulls through it."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self.bytes_read += len(data)
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._stream.seek(offset, whence)

    def tell(self) -> int:
        return self._stream.tell()


@dataclass
class _Accumulator:
    """Sums over integer samples as libsndfile hands them out (no float decode per sample)."""

    frame: int
    bits: int
    scale: float  # full scale of the integers read: 2**15 or 2**31
    peak: float = 0.0
    total: float = 0.0
    squares: float = 0.0
    samples: int = 0
    clipped: int = 0
    longest_run: int = 0
    open_run: int = 0  # full-scale samples at the end of the previous block
    energies: list[FloatArray] = field(default_factory=list)
    zeros: list[BoolArray] = field(default_factory=list)
    listener: Listener | None = None

    def add(self, block: npt.NDArray[np.integer[Any]]) -> None:
        x = block.mean(axis=1) if block.shape[1] > 1 else block[:, 0]
        if x.size == 0:
            return
        if self.listener is not None:
            self.listener.feed(x.astype(np.float32) * np.float32(1 / self.scale))
        # Within 1.5 steps of the file's own bit depth from full scale counts as clipped.
        full_scale = self.scale * (1 - 1.5 / (1 << (self.bits - 1)))
        loudest = max(float(x.max()), -float(x.min()))
        self.peak = max(self.peak, loudest / self.scale)
        self.samples += x.size
        if loudest >= full_scale:
            self._clipping(np.abs(x.astype(np.float32)) >= full_scale)
        else:
            self.open_run = 0
        whole = x.size - x.size % self.frame
        self._frames(x[:whole].astype(np.float32).reshape(-1, self.frame))
        if x.size - whole >= self.frame // 2:  # a last partial frame long enough to count
            self._frames(x[whole:].astype(np.float32).reshape(1, -1))

    def _frames(self, frames: npt.NDArray[np.float32]) -> None:
        sums = frames.sum(axis=1, dtype=np.float64)
        squares = np.einsum("ij,ij->i", frames, frames).astype(np.float64)
        self.total += float(sums.sum()) / self.scale
        self.squares += float(squares.sum()) / self.scale**2
        n = frames.shape[1]
        # Variance, not mean square: a DC offset is its own finding and must not pass for noise.
        variance = np.maximum(squares / n - (sums / n) ** 2, 0.0) / self.scale**2
        self.energies.append(variance)
        self.zeros.append(squares == 0)

    def _clipping(self, full: BoolArray) -> None:
        count = int(np.count_nonzero(full))
        if count == 0:
            self.open_run = 0
            return
        self.clipped += count
        starts, lengths = runs(full)
        at_edge = starts[-1] + lengths[-1] == full.size
        if starts[0] == 0:
            lengths[0] += self.open_run
        self.longest_run = max(self.longest_run, int(lengths.max()))
        self.open_run = int(lengths[-1]) if at_edge else 0


def runs(mask: BoolArray) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """(start, length) of every run of True in ``mask``."""
    edges = np.diff(np.concatenate(([0], mask.view(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    return starts, np.flatnonzero(edges == -1) - starts


@dataclass(frozen=True)
class Doubt:
    """When the other measures leave a question DNSMOS answers (data.quality): little heard
    as speech, too little for the VAD's speech time to be used, an SNR not measurable or
    under the advised level."""

    min_speech_share: float
    advised_snr_db: float

    def __call__(self, stats: AudioStats) -> bool:
        share = stats.speech_share
        return (
            (share is not None and share < self.min_speech_share)
            or stats.vad_trusted is False
            or stats.snr_fallback
            or stats.snr_db < self.advised_snr_db
        )


def analyse(
    stream: BinaryIO, bits: int, checks: tuple[str, ...] | None = None, doubt: Doubt | None = None
) -> tuple[AudioStats, int]:
    """Stats of the recording in ``stream``, and the bytes read; raises DECODE_ERRORS.
    ``checks``: the model checks to run, by default every one installed. ``doubt``: when
    DNSMOS is not among them, run it anyway (in the same pass) on a file it doubts."""
    counting = _Counting(stream)
    with soundfile.SoundFile(counting, mode="r") as audio:
        rate, channels, subtype = audio.samplerate, audio.channels, audio.subtype
        frame = max(1, round(rate * FRAME_SECONDS))
        dtype = "int16" if bits <= 16 else "int32"
        acc = _Accumulator(frame, min(bits, 32), float(1 << (15 if bits <= 16 else 31)))
        chosen = models.available() if checks is None else checks
        late = (
            doubt if models.DNSMOS not in chosen and models.DNSMOS in models.available() else None
        )
        acc.listener = Listener(rate, chosen, keep=late is not None)
        size = frame * FRAMES_PER_BLOCK
        if 0 < audio.frames <= rate * _REMEMBERED_SECONDS:
            # A sentence: read whole, and measured once per content in this process.
            samples = audio.read(dtype=dtype, always_2d=True)
            digest = blake2b(samples.tobytes(), digest_size=16).digest()
            key = (digest, rate, subtype, bits, chosen, late)
            known = _MEASURED.get(key)
            if known is None:
                for start in range(0, len(samples), size):
                    acc.add(samples[start : start + size])
                known = _MEASURED[key] = _finish(acc, rate, channels, subtype, late)
                if len(_MEASURED) > _MEASURED_KEPT:
                    del _MEASURED[next(iter(_MEASURED))]
            return known, counting.bytes_read
        for block in audio.blocks(size, dtype=dtype, always_2d=True):
            acc.add(block)
    return _finish(acc, rate, channels, subtype, late), counting.bytes_read


def _finish(
    acc: _Accumulator, rate: int, channels: int, subtype: str, late: Doubt | None
) -> AudioStats:
    stats = _summarise(acc, rate, channels, subtype)
    if late is None or acc.listener is None or not late(stats):
        return stats
    ran = {*stats.models, models.DNSMOS}
    scores = acc.listener.late_dnsmos()
    return replace(
        stats,
        models=[check for check in models.NEEDS if check in ran],
        dnsmos_sig=scores.get("dnsmos_sig"),
        dnsmos_bak=scores.get("dnsmos_bak"),
        dnsmos_ovrl=scores.get("dnsmos_ovrl"),
    )


# Sentences measured in this process, by their samples: tests, benchmarks and datasets repeat
# takes, and the models cost far more than hashing a few MB.
_REMEMBERED_SECONDS = 20
_MEASURED: dict[tuple[object, ...], AudioStats] = {}
_MEASURED_KEPT = 1024


def _db(energy: float | FloatArray) -> Any:
    return np.maximum(10.0 * np.log10(np.maximum(energy, 1e-30)), _FLOOR_DB)


def _summarise(acc: _Accumulator, rate: int, channels: int, subtype: str) -> AudioStats:
    energy = np.concatenate(acc.energies) if acc.energies else np.zeros(0)
    zero = np.concatenate(acc.zeros) if acc.zeros else np.zeros(0, dtype=bool)
    step = acc.frame / rate
    levels = _db(energy)
    live = levels[~zero]
    noise = float(np.percentile(live, 10)) if live.size else _FLOOR_DB
    loud = float(np.percentile(live, 95)) if live.size else _FLOOR_DB
    snr = loud - noise
    raw_speech = (levels > noise + min(20.0, max(6.0, snr / 2))) & ~zero
    cut_against = raw_speech
    heard = acc.listener.result() if acc.listener is not None else {}
    speech = _smooth(raw_speech, step)
    heard_by_level = speech
    if models.VAD in heard.get("models", ()):
        assert acc.listener is not None
        windows = activity.speech_windows(acc.listener.speech_probability)
        voiced = activity.on_frames(windows, len(energy), step) & ~zero
        sounding = np.count_nonzero(~zero)
        share = float(np.count_nonzero(voiced) / sounding) if sounding else 0.0
        heard["speech_share"] = share
        heard["vad_trusted"] = False
        heard_energy = np.count_nonzero(raw_speech)
        covered = np.count_nonzero(voiced & raw_speech) / heard_energy if heard_energy else 1.0
        if share >= activity.TRUSTED_SHARE and covered >= activity.TRUSTED_COVER:
            heard_snr, fallback = activity.snr(energy, voiced, zero, step)
            heard_noise = float(_db(energy[voiced].mean())) - heard_snr if voiced.any() else noise
            # Pauses as loud as speech: the model missed part of the voice (see activity).
            if fallback or heard_noise <= noise + activity.TRUSTED_NOISE_DB:
                raw_speech = speech = voiced
                cut_against = cut_against | voiced
                snr, heard["snr_fallback"] = heard_snr, fallback
                heard["vad_trusted"] = True
    lengths = runs(speech)[1]
    # The edges' silence ends at the first sound either way: the VAD may miss a word's quiet
    # end (as it does in voices it does not know) that stands clearly above the room tone.
    edge_starts, edge_lengths = runs(speech | heard_by_level)
    count = len(energy)
    speech_energy = energy[raw_speech]
    speech_dbfs = float(_db(speech_energy.mean())) if speech_energy.size else _FLOOR_DB
    if "snr_fallback" in heard and speech_energy.size:
        noise = speech_dbfs - snr
    cuts = np.flatnonzero((zero[1:] & cut_against[:-1]) | (zero[:-1] & cut_against[1:])) + 1
    stats: dict[str, Any] = {
        "seconds": acc.samples / rate if rate else 0.0,
        "sample_rate": rate,
        "channels": channels,
        "subtype": subtype,
        "peak_dbfs": float(_db(acc.peak * acc.peak)),
        "rms_dbfs": float(_db(acc.squares / acc.samples)) if acc.samples else _FLOOR_DB,
        "speech_dbfs": speech_dbfs,
        "noise_dbfs": noise,
        "snr_db": snr,
        "dc_offset": acc.total / acc.samples if acc.samples else 0.0,
        "clipped_share": acc.clipped / acc.samples if acc.samples else 0.0,
        "longest_clip_run": acc.longest_run,
        "leading_silence": float(edge_starts[0] * step) if len(edge_starts) else count * step,
        "trailing_silence": float((count - edge_starts[-1] - edge_lengths[-1]) * step)
        if len(edge_starts)
        else count * step,
        "speech_seconds": float(lengths.sum() * step),
        "digital_silence_seconds": float(np.count_nonzero(zero) * step),
        "cut_count": len(cuts),
        "cuts_at": [round(float(c * step), 2) for c in cuts[:_SHOWN_CUTS]],
    }
    stats.update(_pauses(raw_speech, step))
    stats.update(heard)
    return AudioStats(**stats)


def _smooth(active: BoolArray, step: float) -> BoolArray:
    """Speech as a listener hears it: short gaps bridged, isolated blips dropped."""
    gap_starts, gap_lengths = runs(~active)
    inner = (gap_starts > 0) & (gap_starts + gap_lengths < active.size)
    bridged = inner & (gap_lengths * step < _GAP_FILL_SECONDS)
    speech = active | _cover(active.size, gap_starts[bridged], gap_lengths[bridged])
    starts, lengths = runs(speech)
    short = lengths * step < _MIN_SPEECH_SECONDS
    return speech & ~_cover(speech.size, starts[short], lengths[short])


def _cover(size: int, starts: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64]) -> BoolArray:
    """A mask that is True over the given (start, length) runs."""
    delta = np.zeros(size + 1, dtype=np.int64)
    np.add.at(delta, starts, 1)
    np.add.at(delta, starts + lengths, -1)
    return np.cumsum(delta[:-1]) > 0


def _pauses(sound: BoolArray, step: float) -> dict[str, Any]:
    """Sentence pauses by their shared definition: the sound gate's frames, unsmoothed (a
    bridged pair of clicks must not split a pause), bursts under PAUSE_CLICK_SECONDS dropped."""
    starts, lengths = runs(sound)
    burst = lengths < round(PAUSE_CLICK_SECONDS / step)
    starts, lengths = starts[~burst], lengths[~burst]
    if len(starts) == 0:
        return {}
    ends = starts + lengths
    gaps = starts[1:] - ends[:-1]
    breaks = np.flatnonzero(gaps >= round(SENTENCE_PAUSE_SECONDS / step))
    # Stretches of sound between sentence pauses: from a run's start to a later run's end.
    first = np.concatenate(([0], breaks + 1))
    last = np.concatenate((breaks, [len(starts) - 1]))
    stretch = (ends[last] - starts[first]) * step
    widest = int(np.argmax(stretch))
    result = {
        "sentence_pauses": len(breaks),
        "longest_without_pause": float(stretch[widest]),
        "longest_without_pause_at": float(starts[first[widest]] * step),
    }
    if len(gaps):
        longest = int(np.argmax(gaps))
        result["longest_pause"] = float(gaps[longest] * step)
        result["longest_pause_at"] = float(ends[longest] * step)
    return result
