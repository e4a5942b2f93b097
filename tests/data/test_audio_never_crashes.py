"""Whatever bytes a .wav holds, the preflight answers with findings, never an exception."""

from __future__ import annotations

import struct
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.config import load_config
from reconciler.data import preflight
from reconciler.speechlike import steady_wav

CONFIG = (
    "version: 1\nprovider: {region: cn-north-4}\nvoices:\n  v:\n"
    "    edition: premium\n    voice_name: V\n    data: {dir: data}\n"
)


def _header(fmt: int, channels: int, rate: int, bits: int, data_size: int) -> bytes:
    block = (channels * bits // 8) & 0xFFFF
    byte_rate = (rate * block) & 0xFFFFFFFF
    return (
        b"RIFF"
        + struct.pack("<I", (36 + data_size) & 0xFFFFFFFF)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, fmt, channels, rate, byte_rate, block, bits)
        + b"data"
        + struct.pack("<I", data_size)
    )


headers = st.builds(
    _header,
    st.sampled_from([1, 3, 0xFFFE, 0, 0x55]),
    st.integers(0, 0xFFFF),
    st.one_of(st.integers(0, 0xFFFFFFFF), st.sampled_from([8000, 16000, 48000])),
    st.sampled_from([0, 1, 7, 8, 16, 24, 32, 64, 0xFFFF]),
    st.integers(0, 0xFFFFFFFF),
)
wav_bytes = st.one_of(
    st.builds(lambda head, body: head + body, headers, st.binary(max_size=4096)),
    st.builds(lambda cut: steady_wav(1.0)[:cut], st.integers(0, 96044)),
    st.builds(lambda body: b"RIFF\xff\xff\xff\xffWAVE" + body, st.binary(max_size=512)),
)


@settings(max_examples=60, deadline=None)
@given(blob=wav_bytes)
def test_any_wav_gives_findings_not_exceptions(blob: bytes) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        (root / "data").mkdir()
        (root / "data" / "take.wav").write_bytes(blob)
        (root / "voices.yaml").write_text(CONFIG, encoding="utf-8")
        found = preflight(load_config(root / "voices.yaml"))
    assert any(d.is_error for d in found)  # never an hour-long premium take
