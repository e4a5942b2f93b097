"""Real speech for the data-rule tests: espeak-ng reads Chinese sentences, sox resamples them.

A synthesiser's silences are digital zero, which no microphone gives; a room tone is added
under everything, as a quiet studio would record it. Formats other than 48 kHz 16-bit mono
are made by sox from the same take. The tools are Debian packages (``.ci/run`` installs
them): a machine without them fails these tests with a message saying so, never skips them.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
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


def require_tools() -> None:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.fail(
            f"these tests read real speech made by {' and '.join(missing)}, which is not "
            "installed: apt-get install espeak-ng sox (.ci/run does)",
            pytrace=False,
        )


def _run(command: list[str], data: bytes | None = None) -> bytes:
    require_tools()
    return subprocess.run(command, input=data, capture_output=True, check=True).stdout


@functools.cache
def sentence(index: int) -> np.ndarray:
    """Sentence ``index`` (of SENTENCES, round robin) as float samples at 48 kHz, trimmed."""
    text = SENTENCES[index % len(SENTENCES)]
    spoken = _run(["espeak-ng", "-v", "cmn", "-s", "150", "--stdout", text])
    to_raw = ["-t", "raw", "-r", str(RATE), "-e", "signed", "-b", "16", "-c", "1", "-"]
    raw = _run(["sox", "-t", "wav", "-", *to_raw], spoken)
    samples = np.frombuffer(raw, dtype="<i2").astype(np.float64) / 32768.0
    voiced = np.flatnonzero(np.abs(samples) > 1e-3)
    return samples[voiced[0] : voiced[-1] + 1]


def transcript(index: int) -> str:
    return SENTENCES[index % len(SENTENCES)] + "\n"


def take(*parts: int | float, seed: int = 0) -> np.ndarray:
    """A recording of the parts in order: an int is that sentence, a float that many seconds
    of pause; EDGE_SECONDS of room tone before and after, peaks at PEAK_DBFS."""
    edge = np.zeros(round(EDGE_SECONDS * RATE))
    pieces = [edge]
    for part in parts:
        pieces.append(sentence(part) if isinstance(part, int) else np.zeros(round(part * RATE)))
    speech = np.concatenate([*pieces, edge])
    speech *= 10 ** (PEAK_DBFS / 20) / float(np.max(np.abs(speech)))
    rng = np.random.default_rng(seed)
    room: np.ndarray = rng.normal(0.0, 10 ** (ROOM_TONE_DBFS / 20), speech.size)
    recorded: np.ndarray = speech + room
    return recorded


def pcm16(samples: np.ndarray) -> bytes:
    """48 kHz 16-bit mono WAV bytes, what the recording guide asks for."""
    data = np.clip(np.round(samples * 32767), -32768, 32767).astype("<i2").tobytes()
    return wav_header(len(data), sample_rate=RATE) + data


def converted(wav: bytes, *options: str) -> bytes:
    """The WAV converted by sox, as in ``sox in.wav -r 44100 out.wav`` with ``options``."""
    with tempfile.TemporaryDirectory() as scratch:
        source, target = Path(scratch) / "in.wav", Path(scratch) / "out.wav"
        source.write_bytes(wav)
        _run(["sox", str(source), *options, str(target)])
        return target.read_bytes()
