"""Which recordings of a voice DNSMOS scores: a sample chosen by content, and the doubtful.

DNSMOS P.835 is most of the analysis' cost (about 0.2 s of one core per 9.01 s window, where
voice activity, pitch and levels together take a few hundredths), while what it judges,
the room's reverb and background and the voice's overall quality, belongs to the recording
set more than to one take. So per voice it scores:

* the files first in the order of a hash of their content (the sha256 the cache keys by, a
  zip member's CRC-32), until they hold SHARE of the voice's audio bytes and at least
  MIN_FILES files: the same data always gives the same sample, so plans are stable and
  cached measurements hold; a changed file moves only itself in or out of the order;
* every other file the cheaper measures already doubt (``doubted``): little heard as
  speech, or too little for the VAD's speech time to be used (music, noise, or a voice
  the VAD does not know?), an SNR that could not be measured or is below the advised
  level. DNSMOS then decides, for that file, what the cheap measures cannot; it hears the
  windows kept while the file was decoded (``listen``), so nothing is read twice.

Within a long take, ``listen`` scores one window every two minutes. The voice's SIG, BAK and
OVRL are the sampled files' (weighted by length); files out of the sample show none.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from reconciler.data.audio import AudioStats, Doubt
from reconciler.data.checks import Thresholds
from reconciler.data.entries import Entry

SHARE = 0.05  # of the voice's audio bytes
MIN_FILES = 3


def content_token(entry: Entry) -> str:
    """What the sample ranks a file by: its content, never its path or time."""
    if entry.identity is not None and entry.key is not None and "/" in entry.key:
        return f"crc {entry.identity[-1]} {entry.size}"  # a zip member: its CRC-32 and size
    if entry.key is not None:
        return entry.key  # the sha256 of the file (or the oid of a Git LFS pointer)
    return f"name {entry.name} {entry.size}"  # no cache: nothing read yet to key by


def choose(files: Sequence[tuple[str, str, int]]) -> frozenset[str]:
    """The names to score, of ``(name, content token, bytes)`` per recording."""
    ranked = sorted(files, key=lambda f: (hashlib.blake2b(f[1].encode()).digest(), f[0]))
    wanted = SHARE * sum(size for _, _, size in files)
    chosen: list[str] = []
    taken = 0
    for name, _, size in ranked:
        if len(chosen) >= MIN_FILES and taken >= wanted:
            break
        chosen.append(name)
        taken += size
    return frozenset(chosen)


def doubted(stats: AudioStats, t: Thresholds) -> bool:
    """Whether the cheap measures leave a question DNSMOS answers (see the docstring)."""
    return doubt(t)(stats)


def doubt(t: Thresholds) -> Doubt:
    return Doubt(t.min_speech_share, t.advised_snr_db)
