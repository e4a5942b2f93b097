"""Per-file checks of training data, shared by the system audit and segment confirmation."""

from __future__ import annotations

from typing import BinaryIO

from reconciler.wav import WavError, read_wav_info

AUDIO_FORMAT_ERROR = "MSS.20020011"
MAX_SENTENCE_SECONDS = 15.0
MAX_TEXT_BYTES = 64 * 1024


def wav_problem(stream: BinaryIO, size: int | None, *, sentence: bool) -> str | None:
    """Why this WAV cannot be trained on, or None. Reads the header only."""
    try:
        info = read_wav_info(stream, size)
    except WavError as error:
        return f"audio format is incorrect: {error}"
    if not info.is_pcm:
        return f"audio format is incorrect: not PCM (format tag {info.audio_format})"
    if info.channels != 1:
        return f"audio must be mono, but it has {info.channels} channels"
    if info.data_bytes == 0:
        return "audio holds no samples"
    if sentence and info.duration_seconds > MAX_SENTENCE_SECONDS:
        return (
            f"sentence audio lasts {info.duration_seconds:.1f} s, "
            f"over the {MAX_SENTENCE_SECONDS:.0f} s limit"
        )
    return None


def text_problem(data: bytes) -> str | None:
    if len(data) > MAX_TEXT_BYTES:
        return f"text is over {MAX_TEXT_BYTES // 1024} KiB"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "text is not valid UTF-8"
    if not text.strip():
        return "text is empty"
    return None


def error_entry(
    audio_name: str, text_name: str, message: str, code: str = AUDIO_FORMAT_ERROR
) -> dict[str, str]:
    return {
        "audio_name": audio_name,
        "text_name": text_name,
        "error_code": code,
        "error_message": message,
    }
