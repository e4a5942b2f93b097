"""Transcripts against the job's language and against their recording's speech time.

MetaStudio's review rejects a transcript that does not match its audio. Reading the words
takes speech recognition; what can be checked offline is the script (Chinese text for a CN
voice, Latin for EN) and the pace: characters per second of speech. Natural Mandarin runs
at about 3 to 6 characters a second and English at 12 to 18 letters, so the ranges in
``Thresholds`` (2-8 and 8-25, our judgement) only catch pairs that cannot belong together,
such as swapped files or a transcript of another sentence; twice outside them is an error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from reconciler.data.checks import Thresholds
from reconciler.data.report import Report

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
LANGUAGE_NAMES = {"CN": "Chinese", "EN": "English"}


def script_of(text: str) -> tuple[str | None, int]:
    """("CN" or "EN" by the dominant script, or None without letters; its letter count)."""
    han, latin = len(_HAN.findall(text)), len(_LATIN.findall(text))
    if han == latin == 0:
        return None, 0
    return ("CN", han) if han >= latin else ("EN", latin)


def text_facts(text: str) -> dict[str, Any]:
    """What the judgement needs of a transcript, kept by content (data.facts) so that a
    re-plan, or a checkout without the file's content, need not read it again."""
    script, letters = script_of(text)
    return {"words": any(ch.isalnum() for ch in text), "script": script, "letters": letters}


def judge_text(
    text: str,
    name: str,
    language: str | None,
    speech_seconds: float | None,
    t: Thresholds,
    report: Report,
) -> None:
    judge_text_facts(text_facts(text), name, language, speech_seconds, t, report)


def judge_text_facts(
    facts: Mapping[str, Any],
    name: str,
    language: str | None,
    speech_seconds: float | None,
    t: Thresholds,
    report: Report,
) -> None:
    if not facts.get("words"):
        report.error("no words in it, only punctuation or spaces", name)
        return
    script, letters = facts.get("script"), int(facts.get("letters") or 0)
    if script not in LANGUAGE_NAMES:
        report.error("no Chinese or Latin letters in it (digits only?)", name)
        return
    if language is not None and script != language:
        report.error(
            f"written in {LANGUAGE_NAMES[script]}, but the voice's language is {language}: "
            "the transcript must be what is spoken",
            name,
        )
        return
    if not speech_seconds:
        return
    low, high = t.cn_chars_per_second if script == "CN" else t.en_letters_per_second
    unit = "characters" if script == "CN" else "letters"
    rate = letters / speech_seconds
    shown = f"{rate:.1f} {unit}/s over {speech_seconds:.1f} s of speech"
    if rate > 2 * high or rate < low / 2:
        report.error(
            f"does not fit its recording (expected {low:g} to {high:g} {unit} a second): "
            "a transcript of another recording, or files swapped?",
            name,
            shown,
        )
    elif not low <= rate <= high:
        report.warning(
            f"unusual pace for its recording ({low:g} to {high:g} {unit}/s)", name, shown
        )
