"""The review's rules for one file, shared by the system audit and segment confirmation.

Error codes: MSS.20020011/12/13/16 are the service's documented ones. The MSS.20029xxx codes
are the emulator's own: the service rejects such data but publishes no code for it (or, for
the transcript language, a code whose value is not public), so a client must not match on them.

Thresholds are the documented rules where there are any (48 kHz/16-bit/mono, sentences of at
most 15 s, 2-3 s pauses in a long take) and otherwise deliberately lenient guesses, so that
anything the emulator rejects is something the real review surely rejects too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO

from reconciler.emulator.sound import NOT_SPEECH_SHARE, FormatProblem, Measures, measure

AUDIO_FORMAT = "MSS.20020011"
FILE_TYPES = "MSS.20020012"
NOT_A_ZIP = "MSS.20020013"
FILE_COUNT = "MSS.20020016"
# The emulator's own, undocumented codes (see the module docstring).
SILENT = "MSS.20029001"
CLIPPED = "MSS.20029002"
TOO_QUIET = "MSS.20029003"
NOISY = "MSS.20029004"
TOO_LONG = "MSS.20029005"
DURATION = "MSS.20029006"
LANGUAGE = "MSS.20029007"
BAD_TEXT = "MSS.20029008"
BAD_LETTER = "MSS.20029009"
UNCONFIRMED = "MSS.20029010"
NOT_SPEECH = "MSS.20029011"

MAX_SENTENCE_SECONDS = 15.0  # the recording guide: longer sentences make training fail
MAX_TEXT_BYTES = 64 * 1024
SILENT_SHARE = 0.01  # under 1% of frames above -50 dBFS: nobody speaks
# Under 20% of the recording heard as speech by the voice-activity model (when installed,
# sound.NOT_SPEECH_SHARE): music, tones or noise. Lenient: a long take with 3 s pauses is
# still over half speech.
VOICE_SIG = 1.6  # ... and DNSMOS SIG under 1.6: no voice in it either (tones score 1.2)
QUIET_DB = -40.0  # speech this far below full scale is too quiet to train on
MIN_SNR_DB = 15.0
CLIPPED_SHARE = 0.005
CLIPPED_RUN = 48  # 1 ms held at full scale: a flattened crest, not a loud transient
# A long take is cut at its pauses (2-3 s asked for; what counts as one is in ``sound``) into
# sentences; sound running on without one for longer than a sentence may last cannot be cut,
# which is also how clips spliced together sound.

Problem = tuple[str, str]


@dataclass(frozen=True)
class AudioCheck:
    problems: list[Problem]
    measures: Measures | None


def check_audio(stream: BinaryIO, *, sentence: bool, quality: bool = False) -> AudioCheck:
    """``quality``: score DNSMOS for ``assess_result`` (the review does it for one recording)."""
    try:
        measures = measure(stream, quality=quality)
    except FormatProblem as error:
        return AudioCheck([(AUDIO_FORMAT, f"audio format is incorrect: {error}")], None)
    return AudioCheck(audio_problems(measures, sentence=sentence), measures)


def audio_problems(m: Measures, *, sentence: bool) -> list[Problem]:
    if m.speech_share < SILENT_SHARE:
        return [(SILENT, "no speech found: the recording is silent")]
    voiced, sig = m.vad_share, (m.dnsmos or {}).get("sig")
    # A recording the VAD hears little of (or too little to be trusted, ``sound``) is a
    # voice only if DNSMOS hears one.
    unheard = voiced is not None and (voiced < NOT_SPEECH_SHARE or m.voiced is None)
    if voiced is not None and unheard and (sig is None or sig < VOICE_SIG):
        return [(NOT_SPEECH, f"not speech: music, tones or noise ({voiced:.0%} heard as speech)")]
    problems: list[Problem] = []
    if sentence and m.seconds > MAX_SENTENCE_SECONDS:
        problems.append(
            (
                TOO_LONG,
                f"sentence audio lasts {m.seconds:.1f} s, over the "
                f"{MAX_SENTENCE_SECONDS:.0f} s limit",
            )
        )
    if not sentence:
        start, length = m.longest_without_pause()
        if length > MAX_SENTENCE_SECONDS:
            problems.append(
                (
                    TOO_LONG,
                    f"{length:.1f} s without a pause from {start:.1f} s: a long recording needs "
                    "2-3 s of pause between sentences (spliced clips fail review)",
                )
            )
    if m.clipped_share > CLIPPED_SHARE or m.longest_clip_run >= CLIPPED_RUN:
        problems.append(
            (
                CLIPPED,
                f"audio is clipped: {m.clipped_share:.2%} of samples at full scale "
                f"(longest run {m.longest_clip_run})",
            )
        )
    if m.speech_db < QUIET_DB:
        problems.append(
            (TOO_QUIET, f"speech is too quiet: {m.speech_db:.0f} dBFS (at least {QUIET_DB:.0f})")
        )
    elif m.snr_db < MIN_SNR_DB:
        problems.append(
            (
                NOISY,
                f"too much background noise: SNR {m.snr_db:.0f} dB (at least {MIN_SNR_DB:.0f})",
            )
        )
    return problems


def _script_counts(text: str) -> tuple[int, int]:
    han = sum(1 for c in text if "\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf")
    latin = sum(1 for c in text if c.isascii() and c.isalpha())
    return han, latin


def text_problems(data: bytes, language: str | None) -> list[Problem]:
    if len(data) > MAX_TEXT_BYTES:
        return [(BAD_TEXT, f"text is over {MAX_TEXT_BYTES // 1024} KiB")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [(BAD_TEXT, "text is not valid UTF-8")]
    if not text.strip():
        return [(BAD_TEXT, "text is empty")]
    han, latin = _script_counts(text)
    # The job's language is optional; without one there is nothing to compare with.
    if language == "CN" and han < max(1, latin):
        return [(LANGUAGE, "text is not in the job's language CN: it is not mostly Chinese")]
    if language == "EN" and (han or not latin):
        return [(LANGUAGE, "text is not in the job's language EN: it holds no English words")]
    return []


def letter_problem(head: bytes, tail: bytes) -> str | None:
    """The authorization letter must be a PDF or a JPG/PNG photo, judged by its content."""
    if head.startswith(b"%PDF-"):
        return None if b"%%EOF" in tail else "authorization letter is a truncated PDF"
    if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":
        return None
    if head.startswith(b"\xff\xd8\xff"):
        return None
    return "authorization letter must be a PDF, JPG or PNG file"


def error_entry(
    audio_name: str, text_name: str, message: str, code: str = AUDIO_FORMAT
) -> dict[str, str]:
    return {
        "audio_name": audio_name,
        "text_name": text_name,
        "error_code": code,
        "error_message": message,
    }
