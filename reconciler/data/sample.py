"""A short sample of a voice's recordings, for MetaStudio's own assessment (short jobs, op 18).

The tenant says how long a sample may be (op 17: ``short_assess_min``/``short_assess_max``).
The sample aims at the middle of that range and is made of whole recordings in the dataset's
order (sentence files by number), as many as fit. A recording is cut only when the sample
would otherwise stay too short: a long take (premium, third-party, or a basic voice's one
recording), or a sentence that would overshoot the maximum. The cut goes at the middle of
the longest pause in the allowed window (the recording guide asks for 2-3 s between
sentences, so a long take cuts between two sentences); where the window has no pause of at
least ``MIN_PAUSE_SECONDS``, at the window's end, which may fall inside a word.

Whole recordings are copied byte for byte; a cut keeps its recording's rate, width and
channels. Nothing but the recordings (.wav) goes in: the assessment judges sound, not text.
"""

from __future__ import annotations

import functools
import io
import re
import shutil
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, BinaryIO, cast

import numpy as np
import soundfile

from reconciler.config.model import DataSource
from reconciler.data.files import BLOCK_SIZE, dataset_files
from reconciler.errors import ReconcilerError
from reconciler.wav import WavError, read_wav_info

FRAME_SECONDS = 0.02
MIN_PAUSE_SECONDS = 0.2
# A frame this far above the take's quietest tenth is no longer room tone.
PAUSE_OVER_FLOOR_DB = 10.0
PAUSE_UNDER_LOUD_DB = 20.0
_NUMBERED = re.compile(r"^([0-9]+)\.wav$", re.IGNORECASE)


class SampleError(ReconcilerError):
    """No sample within the tenant's range can be cut from the recordings."""


@dataclass(frozen=True)
class Recording:
    name: str  # as the preflight names it: the path in the folder or the zip
    seconds: float
    open: Callable[[], BinaryIO]


@dataclass(frozen=True)
class Piece:
    source: str
    seconds: float
    whole: bool  # False: cut from the start of ``source`` at a pause or the window's end


@dataclass(frozen=True)
class Sample:
    pieces: tuple[Piece, ...]
    low: float
    high: float

    @property
    def seconds(self) -> float:
        return sum(p.seconds for p in self.pieces)

    @property
    def sources(self) -> list[str]:
        return [p.source for p in self.pieces]


def _order(name: str) -> tuple[int, int, str]:
    numbered = _NUMBERED.match(PurePosixPath(name).name)
    return (0, int(numbered[1]), name) if numbered else (1, 0, name)


def _is_recording(name: str) -> bool:
    parts = PurePosixPath(name).parts
    hidden = parts[0] == "__MACOSX" or any(p.startswith(".") for p in parts)
    return name.lower().endswith(".wav") and not hidden


def _seconds(name: str, opener: Callable[[], BinaryIO], size: int) -> float:
    try:
        with opener() as stream:
            return read_wav_info(stream, size).duration_seconds
    except (WavError, OSError, EOFError, zipfile.BadZipFile) as error:
        raise SampleError(f"{name} cannot be read as a WAV recording: {error}") from None


def _open_file(path: Path) -> BinaryIO:
    return path.open("rb")


@contextmanager
def recordings(source: DataSource) -> Iterator[list[Recording]]:
    """The data's recordings in order, each with its duration (read from its header)."""
    if source.kind == "package":
        try:
            archive = zipfile.ZipFile(source.path)
        except (OSError, zipfile.BadZipFile) as error:
            raise SampleError(f"{source.declared} is not a readable zip file: {error}") from None
        with archive:
            infos = [i for i in archive.infolist() if not i.is_dir() and _is_recording(i.filename)]
            found = []
            for info in sorted(infos, key=lambda i: _order(i.filename)):
                opener = cast(Callable[[], BinaryIO], functools.partial(archive.open, info))
                seconds = _seconds(info.filename, opener, info.file_size)
                found.append(Recording(info.filename, seconds, opener))
            yield found
        return
    try:
        files = [f for f in dataset_files(source.path) if _is_recording(f.name)]
    except OSError as error:
        raise SampleError(f"{source.declared} cannot be read: {error.strerror}") from None
    found = []
    for item in sorted(files, key=lambda f: _order(f.name)):
        opener = functools.partial(_open_file, item.path)
        size = item.path.stat().st_size
        found.append(Recording(item.name, _seconds(item.name, opener, size), opener))
    yield found


def choose(recordings: list[Recording], low: float, high: float) -> list[tuple[Recording, float]]:
    """(recording, window) pairs: a window of 0 takes the whole recording, else the cut is
    made between ``window`` seconds and the room left (see the module docstring)."""
    target = (low + high) / 2
    chosen: list[tuple[Recording, float]] = []
    total = 0.0
    for recording in recordings:
        if total >= target:
            break
        if total + recording.seconds <= high:
            chosen.append((recording, 0.0))
            total += recording.seconds
            continue
        if total >= low:
            break  # long enough already: no recording needs cutting
        room = high - total
        shortest = min(room, max(low - total, (target - total) / 2))
        chosen.append((recording, shortest))
        return chosen
    if total < low:
        raise SampleError(
            f"the recordings last {total:.1f} s in all; the service's assessment takes a "
            f"sample of {low:g} to {high:g} s"
        )
    return chosen


def write_sample(source: DataSource, low: float, high: float, dest: BinaryIO) -> Sample:
    """Write the sample's zip (``0.wav``, ``1.wav``, ...) to ``dest``."""
    pieces = []
    with (
        recordings(source) as found,
        zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_STORED) as archive,
    ):
        chosen = choose(found, low, high)
        total = 0.0
        for index, (recording, shortest) in enumerate(chosen):
            with archive.open(f"{index}.wav", "w") as target, recording.open() as stream:
                if not shortest:
                    shutil.copyfileobj(stream, target, BLOCK_SIZE)
                    seconds = recording.seconds
                else:
                    seconds = _write_cut(stream, shortest, high - total, target, recording.name)
            pieces.append(Piece(recording.name, seconds, whole=not shortest))
            total += seconds
    return Sample(tuple(pieces), low, high)


def _write_cut(
    stream: BinaryIO, shortest: float, longest: float, out: IO[bytes], name: str
) -> float:
    try:
        with soundfile.SoundFile(stream) as audio:
            rate, subtype = audio.samplerate, audio.subtype
            data = audio.read(int(longest * rate), dtype="float64", always_2d=True)
    except RuntimeError as error:  # libsndfile's errors
        raise SampleError(f"{name} cannot be decoded: {error}") from None
    end = cut_point(data.mean(axis=1), rate, shortest, longest)
    # libsndfile seeks back to fill in the header's sizes, which a zip member being
    # written cannot do: the cut (a minute at most) is made in memory first.
    buffer = io.BytesIO()
    soundfile.write(buffer, data[:end], rate, subtype=subtype, format="WAV")
    out.write(buffer.getvalue())
    return float(end / rate)


def cut_point(mono: np.ndarray, rate: int, shortest: float, longest: float) -> int:
    """The sample index to end on: the middle of the longest pause between ``shortest`` and
    ``longest`` seconds, else ``longest``."""
    frame = max(1, round(FRAME_SECONDS * rate))
    count = len(mono) // frame
    end = min(len(mono), round(longest * rate))
    if count == 0:
        return end
    power = np.var(mono[: count * frame].reshape(count, frame), axis=1)
    level = 10 * np.log10(np.maximum(power, 1e-12))
    floor, loud = np.percentile(level, 10), np.percentile(level, 90)
    # Near the quietest tenth, and well under the loud frames: a take without pauses (one
    # steady level) has no quiet frames at all.
    quiet = level <= min(floor + PAUSE_OVER_FLOOR_DB, loud - PAUSE_UNDER_LOUD_DB)
    first, last = int(shortest / FRAME_SECONDS), min(count, int(longest / FRAME_SECONDS))
    window = np.concatenate(([False], quiet[first:last], [False])).astype(np.int8)
    edges = np.diff(window)
    starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    if not starts.size:
        return end
    widest = int(np.argmax(stops - starts))
    if (stops[widest] - starts[widest]) * FRAME_SECONDS < MIN_PAUSE_SECONDS:
        return end
    middle = first + (int(starts[widest]) + int(stops[widest])) // 2
    return min(end, middle * frame)
