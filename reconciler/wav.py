"""RIFF/WAVE header reading without loading samples: format, channels, rate, duration.

Used by the training-data preflight (the emulator's review decodes audio on its own, in
``reconciler.emulator.sound``). Reads only the chunk headers, so a multi-GB recording costs a
few reads.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import BinaryIO

PCM = 1
EXTENSIBLE = 0xFFFE
MAX_CHUNKS = 64


class WavError(ValueError):
    """The bytes are not a RIFF/WAVE file this product can train on; the text says why."""


@dataclass(frozen=True)
class WavInfo:
    audio_format: int
    channels: int
    sample_rate: int
    bits_per_sample: int
    data_bytes: int

    @property
    def duration_seconds(self) -> float:
        frame = self.channels * (self.bits_per_sample // 8)
        if frame == 0 or self.sample_rate == 0:
            return 0.0
        return self.data_bytes / frame / self.sample_rate

    @property
    def is_pcm(self) -> bool:
        return self.audio_format in (PCM, EXTENSIBLE)


def read_wav_info(stream: BinaryIO, size: int | None = None) -> WavInfo:
    """Parse the header of a WAV stream positioned at its start.

    ``size`` is the stream's total length when known; a data chunk that claims more bytes
    than the file holds is reported as truncated.
    """
    riff = stream.read(12)
    if len(riff) < 12 or riff[:4] != b"RIFF" or riff[8:12] != b"WAVE":
        raise WavError("not a RIFF/WAVE file")
    fmt: tuple[int, int, int, int] | None = None
    offset = 12
    for _ in range(MAX_CHUNKS):
        header = stream.read(8)
        if len(header) < 8:
            break
        chunk_id, chunk_size = header[:4], struct.unpack("<I", header[4:])[0]
        offset += 8
        if chunk_id == b"fmt ":
            if chunk_size < 16:
                raise WavError("fmt chunk is too short")
            body = stream.read(chunk_size)
            if len(body) < chunk_size:
                raise WavError("fmt chunk is truncated")
            audio_format, channels, rate, _, _, bits = struct.unpack("<HHIIHH", body[:16])
            fmt = (audio_format, channels, rate, bits)
            offset += chunk_size
        elif chunk_id == b"data":
            if fmt is None:
                raise WavError("data chunk comes before the fmt chunk")
            if size is not None and offset + chunk_size > size:
                raise WavError("data chunk is truncated")
            audio_format, channels, rate, bits = fmt
            if channels == 0 or rate == 0 or bits == 0 or bits % 8:
                raise WavError(f"implausible format: {channels} ch, {rate} Hz, {bits} bit")
            return WavInfo(audio_format, channels, rate, bits, chunk_size)
        else:
            padded = chunk_size + (chunk_size & 1)
            _skip(stream, padded)
            offset += padded
    raise WavError("no data chunk")


def _skip(stream: BinaryIO, count: int) -> None:
    if stream.seekable():
        stream.seek(count, 1)
        return
    while count > 0:
        chunk = stream.read(min(count, 1 << 16))
        if not chunk:
            return
        count -= len(chunk)


def make_wav(
    seconds: float,
    *,
    sample_rate: int = 16000,
    bits: int = 16,
    channels: int = 1,
    frequency: float = 220.0,
) -> bytes:
    """A real PCM tone, used for generated examples, TTS previews and tests."""
    import math

    frames = int(seconds * sample_rate)
    amplitude = (1 << (bits - 1)) // 4
    code = {8: "B", 16: "h", 32: "i"}[bits]
    samples = bytearray()
    for i in range(frames):
        value = int(amplitude * math.sin(2 * math.pi * frequency * i / sample_rate))
        if bits == 8:
            value += 128
        samples += struct.pack("<" + code, value) * channels
    return wav_header(len(samples), sample_rate=sample_rate, bits=bits, channels=channels) + bytes(
        samples
    )


def wav_header(
    data_bytes: int, *, sample_rate: int = 16000, bits: int = 16, channels: int = 1
) -> bytes:
    block = channels * bits // 8
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data_bytes)
        + b"WAVE"
        + b"fmt "
        + struct.pack("<IHHIIHH", 16, PCM, channels, sample_rate, sample_rate * block, block, bits)
        + b"data"
        + struct.pack("<I", data_bytes)
    )
