"""Each voice's measured training data as people read it, and as JSON for machines."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from reconciler.data.report import FileRow, VoiceData

SHOWN_ROWS = 20  # files with findings first, worst first; a 100-sentence voice stays readable
SHOWN_OK = 3  # fine files shown when the rest are fine too


def _minutes(seconds: float | None) -> str:
    if seconds is None:
        return "any"
    return f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:.0f} s"


def _number(value: float | None, unit: str) -> str:
    return "-" if value is None else f"{value:.0f} {unit}"


def _worst(row: FileRow) -> str:
    if row.worst is None:
        return "ok"
    prefix = "error: " if row.worst.severity == "error" else "warning: "
    detail = f" ({row.worst.detail})" if row.worst.detail else ""
    return prefix + row.worst.problem.split(":")[0] + detail


def _rank(row: FileRow) -> int:
    return {None: 2, "warning": 1, "error": 0}[row.worst.severity if row.worst else None]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def data_table(voices: Iterable[VoiceData]) -> list[str]:
    lines: list[str] = []
    for voice in voices:
        if not voice.rows:
            continue
        speech = sum(r.speech_seconds or 0.0 for r in voice.rows)
        span = f"{_minutes(voice.min_seconds)} to {_minutes(voice.max_seconds)}"
        ovrl, bak, sig = (voice.mean(f"dnsmos_{s}") for s in ("ovrl", "bak", "sig"))
        quality = ""
        if ovrl is not None and bak is not None and sig is not None:
            sampled = sum(r.dnsmos_ovrl is not None for r in voice.rows)
            quality = (
                f"; DNSMOS OVRL {ovrl:.2f} (SIG {sig:.2f}, BAK {bak:.2f}; "
                f"{_count(sampled, 'file')} sampled)"
            )
        lines.append(
            f"voice.{voice.voice} ({voice.edition}): {_count(len(voice.rows), 'recording')}, "
            f"{_minutes(voice.total_seconds)} recorded, {_minutes(speech)} of speech; "
            f"takes {span} ({voice.limits_from}){quality}"
        )
        header = ("file", "length", "speech", "format", "level", "SNR", "OVRL", "worst finding")
        ranked = sorted(voice.rows, key=_rank)
        flagged = sum(r.worst is not None for r in ranked)
        rows = ranked[: min(SHOWN_ROWS, max(flagged, SHOWN_OK))]
        cells = [header] + [
            (
                r.name,
                f"{r.seconds:.1f} s",
                "-" if r.speech_seconds is None else f"{r.speech_seconds:.1f} s",
                r.sample_format,
                _number(r.speech_dbfs, "dBFS"),
                _number(r.snr_db, "dB"),
                "-" if r.dnsmos_ovrl is None else f"{r.dnsmos_ovrl:.2f}",
                _worst(r),
            )
            for r in rows
        ]
        widths = [max(len(c[i]) for c in cells) for i in range(len(header) - 1)]
        for cell in cells:
            padded = [text.ljust(width) for text, width in zip(cell, widths, strict=False)]
            lines.append("  " + "  ".join([*padded, cell[-1]]).rstrip())
        hidden = len(voice.rows) - len(rows)
        if hidden:
            fine = "all ok" if flagged <= len(rows) else "--format json lists all"
            lines.append(f"  ... and {hidden} more ({fine})")
    return lines


def voice_data_json(voices: Iterable[VoiceData]) -> dict[str, Any]:
    return {
        f"voice.{v.voice}": {
            "edition": v.edition,
            "total_seconds": round(v.total_seconds, 3),
            "min_seconds": v.min_seconds,
            "max_seconds": v.max_seconds,
            "limits_from": v.limits_from,
            "not_run": list(v.not_run),
            "dnsmos": {
                "sig": v.mean("dnsmos_sig"),
                "bak": v.mean("dnsmos_bak"),
                "ovrl": v.mean("dnsmos_ovrl"),
            },
            "files": [
                {
                    "name": r.name,
                    "seconds": round(r.seconds, 3),
                    "speech_seconds": r.speech_seconds,
                    "format": r.sample_format,
                    "speech_dbfs": r.speech_dbfs,
                    "snr_db": r.snr_db,
                    "dnsmos": {"sig": r.dnsmos_sig, "bak": r.dnsmos_bak, "ovrl": r.dnsmos_ovrl},
                    # Scored by DNSMOS: in the voice's sample, or doubted (data.quality).
                    "dnsmos_sampled": r.dnsmos_ovrl is not None,
                    "f0_median_hz": r.f0_median,
                    "worst": None
                    if r.worst is None
                    else {"severity": r.worst.severity, "problem": r.worst.problem},
                }
                for r in v.rows
            ],
        }
        for v in voices
    }
