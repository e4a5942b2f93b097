"""``assess_result`` of a job (the SDK's AssessResult): what the review measured.

Only what the emulator really measures is filled in: ``snr`` and ``sound`` (speech level),
each from the worst recording. ``speed``, ``reverb`` and the DNSMOS scores need models the
emulator does not have, so they are left out rather than made up.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reconciler.emulator.checks import MIN_SNR_DB, QUIET_DB
from reconciler.emulator.sound import Measures


def _property(expected: str, actual: str, bad: bool, advice: str, advice_en: str) -> dict[str, Any]:
    return {
        "expected": expected,
        "actual": actual,
        "suggestion": advice if bad else "",
        "suggestion_en": advice_en if bad else "",
        "status": 1 if bad else 0,  # "whether out of range"
    }


def assess_result(measures: Sequence[Measures]) -> dict[str, Any] | None:
    voiced = [m for m in measures if m.speech_share > 0]
    if not voiced:
        return None
    snr = min(m.snr_db for m in voiced)
    level = min(m.speech_db for m in voiced)
    result: dict[str, Any] = {
        "snr": _property(
            f">= {MIN_SNR_DB:.0f} dB",
            f"{snr:.1f} dB",
            snr < MIN_SNR_DB,
            "背景噪声过大，请在安静的环境中录音。",  # noqa: RUF001
            "Too much background noise: record in a quiet room.",
        ),
        "sound": _property(
            f">= {QUIET_DB:.0f} dBFS",
            f"{level:.1f} dBFS",
            level < QUIET_DB,
            "音量过低，请靠近麦克风或提高录音电平。",  # noqa: RUF001
            "Speech is too quiet: move closer to the microphone or raise the gain.",
        ),
    }
    bad = [name for name, item in result.items() if item["status"]]
    result["suggestion"] = "; ".join(result[name]["suggestion_en"] for name in bad)
    return result
