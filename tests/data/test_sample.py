"""The sample cut for the service's assessment: whole sentences in order, a long take cut at a
pause, always within the tenant's range; on real speech (tests.real_speech)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile

from reconciler.config.model import DataSource
from reconciler.data.sample import Recording, SampleError, choose, cut_point, write_sample
from tests import real_speech as speech


def _recordings(*seconds: float) -> list[Recording]:
    def never() -> io.BytesIO:
        raise AssertionError("choose reads no audio")

    return [Recording(f"{i}.wav", s, never) for i, s in enumerate(seconds)]


def _chosen(seconds: list[float], low: float, high: float) -> list[tuple[str, float]]:
    return [(r.name, window) for r, window in choose(_recordings(*seconds), low, high)]


def test_whole_sentences_up_to_the_middle_of_the_range() -> None:
    # Aiming at 35 s of 10 to 60: four 9 s sentences reach it, all whole.
    assert _chosen([9.0] * 20, 10, 60) == [(f"{i}.wav", 0.0) for i in range(4)]


def test_a_sentence_that_would_overshoot_is_left_out_once_the_minimum_is_met() -> None:
    assert _chosen([12.0, 12.0, 40.0, 5.0], 20, 40) == [("0.wav", 0.0), ("1.wav", 0.0)]


def test_a_long_take_is_cut_between_the_minimum_and_the_maximum() -> None:
    # One 300 s take: cut between half the way to the target (17.5 s) and 60 s.
    assert _chosen([300.0], 10, 60) == [("0.wav", 17.5)]
    # Too short so far: the next recording is cut to reach at least the minimum.
    assert _chosen([4.0, 300.0], 20, 30) == [("0.wav", 0.0), ("1.wav", 16.0)]


def test_too_little_audio_for_the_range_is_refused() -> None:
    with pytest.raises(SampleError, match=r"last 8\.0 s in all; .* 10 to 60 s"):
        choose(_recordings(4.0, 4.0), 10, 60)


def test_the_cut_lands_in_the_pause_between_sentences() -> None:
    take = speech.take(0, 2.5, 1, 2.5, 2)
    first = speech.EDGE_SECONDS + len(speech.sentence(0)) / speech.RATE
    end = cut_point(take, speech.RATE, first - 1.0, first + 6.0) / speech.RATE
    assert first < end < first + 2.5  # inside the pause, not in either sentence


def test_without_a_pause_the_cut_is_at_the_window_end() -> None:
    rng = np.random.default_rng(0)
    steady = rng.normal(0, 0.1, 20 * speech.RATE)
    assert cut_point(steady, speech.RATE, 5.0, 12.0) == 12 * speech.RATE


def _wav_folder(folder: Path, *takes: np.ndarray) -> DataSource:
    folder.mkdir()
    for index, take in enumerate(takes):
        (folder / f"{index}.wav").write_bytes(speech.pcm16(take))
        (folder / f"{index}.txt").write_text(speech.transcript(index), encoding="utf-8")
    return DataSource("dir", folder, "data")


def test_a_folder_of_sentences_gives_whole_copies(tmp_path: Path) -> None:
    source = _wav_folder(tmp_path / "data", *(speech.take(i, seed=i) for i in range(12)))
    out = io.BytesIO()
    sample = write_sample(source, 10, 30, out)
    assert all(piece.whole for piece in sample.pieces)
    assert 10 <= sample.seconds <= 30
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        assert names == [f"{i}.wav" for i in range(len(sample.pieces))]  # no transcripts
        for name, piece in zip(names, sample.pieces, strict=True):
            assert archive.read(name) == (source.path / piece.source).read_bytes()


def test_a_long_take_in_a_package_is_cut_at_a_pause(tmp_path: Path) -> None:
    take = speech.take(0, 2.5, 1, 2.5, 2, 2.5, 3, 2.5, 4)
    package = tmp_path / "long.zip"
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("VoiceClone.wav", speech.pcm16(take))
    out = io.BytesIO()
    sample = write_sample(DataSource("package", package, "long.zip"), 10, 25, out)
    [piece] = sample.pieces
    assert (piece.source, piece.whole) == ("VoiceClone.wav", False)
    assert 10 <= piece.seconds <= 25
    with zipfile.ZipFile(out) as archive:
        cut, rate = soundfile.read(io.BytesIO(archive.read("0.wav")), dtype="float64")
    assert rate == speech.RATE
    assert soundfile.info(io.BytesIO(archive_bytes(out))).subtype == "PCM_16"
    assert np.allclose(cut, take[: len(cut)], atol=1e-4)
    # It ends in a pause: its last 100 ms are room tone, far below speech.
    tail = cut[-speech.RATE // 10 :]
    assert 20 * np.log10(np.sqrt(np.mean(tail**2))) < -50


def archive_bytes(out: io.BytesIO) -> bytes:
    with zipfile.ZipFile(out) as archive:
        return archive.read("0.wav")


def test_unreadable_recordings_are_named(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "0.wav").write_bytes(b"RIFF....WAVEnope")
    with pytest.raises(SampleError, match=r"0\.wav cannot be read as a WAV recording"):
        write_sample(DataSource("dir", folder, "data"), 10, 60, io.BytesIO())
