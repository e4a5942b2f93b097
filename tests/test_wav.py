from __future__ import annotations

import io
import struct

import pytest

from reconciler.wav import WavError, make_wav, read_wav_info, wav_header


def test_reads_generated_tone() -> None:
    data = make_wav(1.5, sample_rate=16000)
    info = read_wav_info(io.BytesIO(data), len(data))
    assert (info.channels, info.sample_rate, info.bits_per_sample) == (1, 16000, 16)
    assert info.duration_seconds == pytest.approx(1.5)
    assert info.is_pcm


def test_skips_unknown_chunks_before_data() -> None:
    base = make_wav(0.1)
    list_chunk = b"LIST" + struct.pack("<I", 5) + b"abcde\x00"  # odd size is padded
    data = base[:36] + list_chunk + base[36:]
    assert read_wav_info(io.BytesIO(data), len(data)).duration_seconds == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("blob", "message"),
    [
        (b"", "not a RIFF/WAVE"),
        (b"RIFF\x00\x00\x00\x00AVI ", "not a RIFF/WAVE"),
        (wav_header(100)[:40], "no data chunk"),
        (wav_header(1000) + b"\x00" * 10, "truncated"),
        (wav_header(10, bits=12) + b"\x00" * 10, "implausible"),
        (b"RIFF" + struct.pack("<I", 20) + b"WAVEdata" + struct.pack("<I", 0), "before the fmt"),
    ],
)
def test_rejects_broken_headers(blob: bytes, message: str) -> None:
    with pytest.raises(WavError, match=message):
        read_wav_info(io.BytesIO(blob), len(blob))
