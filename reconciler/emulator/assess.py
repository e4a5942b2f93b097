"""``assess_result`` of a job (the SDK's AssessResult): what the review measured.

The one place that builds it, for training jobs and short assessment jobs alike. Only what the
emulator really measures is filled in, each from the worst recording: ``snr`` and ``sound``
(speech level) always; ``speed`` (syllables a minute from the level contour) when there is a
second of speech; and, with the ``audio`` extra, ``dnsmos_ovrl``, ``dnsmos_bak`` (Microsoft's
DNSMOS P.835, as the service names them) and ``reverb``, judged by DNSMOS SIG (reverb and
distortion lower the voice's own score while the background's stays), from the first 9 s of
the first recording (the review runs while the job is submitted; see ``hearing``). A field
the emulator cannot measure is left out rather than made up.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reconciler.emulator.checks import MIN_SNR_DB, QUIET_DB
from reconciler.emulator.sound import Measures

# The service publishes no ranges for these: the emulator's judgement. DNSMOS 2.0 is "poor"
# on the P.835 scale; read speech runs at about 4 to 5 syllables a second (Mandarin: a
# syllable a character).
MIN_DNSMOS = 2.0
SPEED_RANGE = (120.0, 360.0)


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
    rates = [r for r in (m.syllables_per_minute for m in voiced) if r is not None]
    if rates:
        low, high = SPEED_RANGE
        worst = max(rates, key=lambda r: max(low - r, r - high))
        result["speed"] = _property(
            f"{low:.0f}-{high:.0f} syllables/min",
            f"{worst:.0f} syllables/min",
            not low <= worst <= high,
            "语速不合适，请以自然、平稳的语速朗读。",  # noqa: RUF001
            "Speaking rate out of range: read at a natural, even pace.",
        )
    scores = [m.dnsmos for m in voiced if m.dnsmos is not None]
    if scores:
        result.update(_dnsmos(scores))
    bad = [name for name, item in result.items() if item["status"]]
    result["suggestion"] = "; ".join(result[name]["suggestion_en"] for name in bad)
    return result


def _dnsmos(scores: list[dict[str, float]]) -> dict[str, Any]:
    ovrl = min(s["ovrl"] for s in scores)
    bak = min(s["bak"] for s in scores)
    sig = min(s["sig"] for s in scores)
    expected = f">= {MIN_DNSMOS:.1f}"
    return {
        "dnsmos_ovrl": _property(
            expected,
            f"{ovrl:.2f}",
            ovrl < MIN_DNSMOS,
            "整体音质较差，请检查录音环境和设备。",  # noqa: RUF001
            "Poor overall quality: check the room and the recording equipment.",
        ),
        "dnsmos_bak": _property(
            expected,
            f"{bak:.2f}",
            bak < MIN_DNSMOS,
            "背景噪声明显，请在安静的环境中录音。",  # noqa: RUF001
            "Audible background noise: record in a quiet room.",
        ),
        "reverb": _property(
            f"DNSMOS SIG {expected}",
            f"DNSMOS SIG {sig:.2f}",
            sig < MIN_DNSMOS,
            "混响过大，请在吸音良好的房间内靠近麦克风录音。",  # noqa: RUF001
            "Too much reverb: record close to the microphone in a damped room.",
        ),
    }
