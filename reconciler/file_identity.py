"""What every cache takes a file's identity to be, in one place so the caches cannot drift.

A file is taken as unchanged while its size, mtime, ctime (in nanoseconds), inode and device
are, as git's index does. mtime alone is not enough: ``touch -r``, ``cp -p`` and archive
extraction set it back after a rewrite at the same size. Nothing sets ctime back: every
write, chmod or utime moves it to the present. The device tells apart equal inode numbers on
two filesystems (another disk mounted where the data was).

Timestamps are only as fine as the filesystem keeps them, so a file rewritten within one
tick of the time it was read can keep its whole identity. git calls such entries "racily
clean" and reads them again; here a cache records nothing about a file that is not
``settled`` when the run began, so the next run reads it again.
"""

from __future__ import annotations

import os
from typing import NamedTuple

_SECOND_NS = 1_000_000_000
# FAT keeps 2 s, ext3 and HFS+ 1 s: their timestamps are whole seconds.
_COARSE_MARGIN_NS = 2 * _SECOND_NS
# Filesystems with sub-second timestamps take them from the kernel's tick clock, which lags
# by at most one tick (10 ms at the lowest usual HZ); exFAT keeps 10 ms. Ten times that.
_FINE_MARGIN_NS = 100_000_000


class FileIdentity(NamedTuple):
    size: int
    mtime_ns: int
    ctime_ns: int
    inode: int
    device: int


def file_identity(status: os.stat_result) -> FileIdentity:
    return FileIdentity(
        status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev
    )


def settled(identity: FileIdentity, since_ns: int) -> bool:
    """True if any change to the file at or after ``since_ns`` (taken before it was read)
    must show in its identity: only then may a cache keep what was read under it."""
    return since_ns > settles_at(identity)


def settles_at(identity: FileIdentity) -> int:
    """The time (ns) after which a run that begins may record this file.

    Judged by ctime, the time of the last change of any kind, which no one can set: a
    future mtime (an archive from a machine whose clock ran fast) must not keep a file from
    ever being cached. A ctime of whole seconds is taken as a coarse filesystem's.
    """
    coarse = identity.ctime_ns % _SECOND_NS == 0
    return identity.ctime_ns + (_COARSE_MARGIN_NS if coarse else _FINE_MARGIN_NS)
