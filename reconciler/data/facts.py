"""What the data checks judge about a file, learned once per content.

A recording's header and measurements and a transcript's script and letter count depend only
on the bytes, so they are kept by the content's sha256 (a zip member: the zip's sha256 and
the member's name), not by the file: a warm re-plan, a fresh clone and a file moved to
another folder read none of them again. For a Git LFS pointer, whose bytes are not on disk,
they come from ``reconciler.lock`` (``data.lock``). Rules (allowed rates, thresholds,
language) are applied to these facts afresh on every run, so changing ``checks`` in the YAML
needs no data.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, BinaryIO, cast

from reconciler.data.digest import DigestCache
from reconciler.data.entries import Entry
from reconciler.wav import WavInfo

Facts = dict[str, Any]


def wav_facts(info: WavInfo) -> Facts:
    return {
        "audio_format": info.audio_format,
        "channels": info.channels,
        "sample_rate": info.sample_rate,
        "bits_per_sample": info.bits_per_sample,
        "data_bytes": info.data_bytes,
    }


def wav_info(facts: Any) -> WavInfo | None:
    """The header back from its facts, or None if they are not a whole header."""
    try:
        return WavInfo(
            int(facts["audio_format"]),
            int(facts["channels"]),
            int(facts["sample_rate"]),
            int(facts["bits_per_sample"]),
            int(facts["data_bytes"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


class _Counting:
    """Counts what the checks read of a data file into the cache's ``bytes_read``."""

    def __init__(self, stream: BinaryIO, cache: DigestCache | None) -> None:
        self._stream = stream
        self._cache = cache

    def read(self, size: int = -1) -> bytes:
        block = self._stream.read(size)
        if self._cache is not None:
            self._cache.bytes_read += len(block)
        return block

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._stream.seek(offset, whence)

    def seekable(self) -> bool:
        return self._stream.seekable()

    def tell(self) -> int:
        return self._stream.tell()


class FactSource:
    """Facts per entry: from the lock (a pointer's), the cache, or what the checks read."""

    def __init__(self, cache: DigestCache | None) -> None:
        self.cache = cache

    def of(self, entry: Entry) -> Facts:
        """The facts known about ``entry``'s content; a copy the caller adds to and hands
        back with :meth:`keep`."""
        known: Facts = {}
        if entry.locked is not None:
            known.update(entry.locked)
        elif self.cache is not None and entry.key is not None:
            known.update(self.cache.facts(entry.key))
        return known

    def keep(self, entry: Entry, facts: Facts) -> None:
        """Record what was learned from the bytes, if the file did not change meanwhile."""
        if entry.locked is not None or entry.key is None or entry.identity is None:
            return
        if self.cache is not None:
            self.cache.save_facts(entry.key, facts, entry.identity)

    @contextmanager
    def open(self, entry: Entry) -> Iterator[BinaryIO]:
        """The entry's bytes, counted; the one way the checks read a data file."""
        with entry.open() as stream:
            yield cast(BinaryIO, _Counting(stream, self.cache))
