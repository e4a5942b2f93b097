"""Object keys of a job's uploads and the Content-Type each upload URL is bound to."""

from __future__ import annotations

import re

from reconciler.emulator.model import SENTENCES

PACKAGE_KEY = "package/data.zip"
LETTER_KEY = "authorization/letter"
ASSESS_KEY = "assess/data.zip"  # a short job's one upload, its sample
SEGMENT_PREFIX = "segments/"
REVIEW_PREFIX = "review/"
ANY_TYPE = ""  # no Content-Type binding: whatever the client sends is accepted

_SEGMENT_RE = re.compile(r"^segments/(0|[1-9][0-9]{0,3})\.(wav|txt)$")
_REVIEW_RE = re.compile(r"^review/(0|[1-9][0-9]{0,3})$")


def audio_key(index: int) -> str:
    return f"{SEGMENT_PREFIX}{index}.wav"


def text_key(index: int) -> str:
    return f"{SEGMENT_PREFIX}{index}.txt"


def review_key(number: int) -> str:
    return f"{REVIEW_PREFIX}{number}"


def bound_type(key: str) -> str:
    if key in (PACKAGE_KEY, ASSESS_KEY):
        return "application/zip"
    if key.startswith(SEGMENT_PREFIX):
        return "audio/wav" if key.endswith(".wav") else "text/plain"
    return ANY_TYPE


def is_valid_key(job_type: str, key: str) -> bool:
    if key in (PACKAGE_KEY, LETTER_KEY) or _REVIEW_RE.match(key):
        return True
    match = _SEGMENT_RE.match(key)
    return match is not None and int(match[1]) < SENTENCES.get(job_type, 0)
