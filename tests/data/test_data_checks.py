"""Each audio, transcript and total-duration rule, through `reconciler validate` in-process.

Every rule has a dataset that passes and one that fails; the signals are numpy-made speech
(harmonic voice, syllable-rate envelope, pauses, a noise floor) written as 48 kHz 16-bit WAV.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from reconciler.cli import main
from reconciler.environment import Environment
from reconciler.speechlike import (
    TEXTS,
    pcm16,
    steady_long_signal,
    steady_signal,
    write_steady_pairs,
)
from tests.clocks import a_minute_later, rewrite_in_place

RATE = 48000
Signal = Callable[[], np.ndarray]


def _validate(root: Path, *argv: str) -> tuple[int, str, str]:
    env = Environment(stdout=io.StringIO(), stderr=io.StringIO(), environ={}, cwd=root)
    code = main(["validate", *argv], env=env)
    assert isinstance(env.stdout, io.StringIO) and isinstance(env.stderr, io.StringIO)
    return code, env.stdout.getvalue(), env.stderr.getvalue()


def _config(root: Path, edition: str = "basic", extra: str = "", language: str = "CN") -> None:
    (root / "voices.yaml").write_text(
        "version: 1\nprovider: {region: cn-north-4}\nvoices:\n  v:\n"
        f"    edition: {edition}\n    voice_name: V\n    language: {language}\n"
        f"    data: {{dir: data}}\n{extra}",
        encoding="utf-8",
    )


def _sentences(root: Path, first: np.ndarray | None = None, text: str | None = None) -> None:
    write_steady_pairs(root / "data", 20)
    if first is not None:
        (root / "data" / "0.wav").write_bytes(pcm16(first, RATE))
    if text is not None:
        (root / "data" / "0.txt").write_text(text, encoding="utf-8")
    _config(root)


def _noise(seconds: float, dbfs: float, seed: int = 7) -> np.ndarray:
    return np.random.default_rng(seed).normal(0, 10 ** (dbfs / 20), int(seconds * RATE))


def _clean() -> np.ndarray:
    return steady_signal(9.0, RATE, 3)


BROKEN_SENTENCES: dict[str, tuple[Signal, str]] = {
    "digital silence": (lambda: np.zeros(9 * RATE), "silent: no sound in it at all"),
    "room tone only": (lambda: _noise(9.0, -60), "no speech found"),
    "square wave": (
        lambda: np.sign(np.sin(2 * np.pi * 200 * np.arange(9 * RATE) / RATE)),
        "clipped: record again",
    ),
    "clipped speech": (lambda: np.clip(_clean() * 8, -1, 1), "clipped"),
    "0 dB SNR": (lambda: _clean() + _noise(9.0, -21), "too noisy"),
    "-60 dBFS": (lambda: _clean() * 10 ** (-40 / 20), "far too quiet"),
    "6 s leading silence": (
        lambda: np.concatenate([_noise(6.0, -70), steady_signal(8.0, RATE, 1)]),
        "leading silence over 3 s",
    ),
    "5 s trailing silence": (
        lambda: np.concatenate([steady_signal(8.0, RATE, 1), _noise(5.0, -70)]),
        "trailing silence over 3 s",
    ),
}


def test_clean_speech_passes_without_warnings_and_is_tabled(tmp_path: Path) -> None:
    _sentences(tmp_path)
    code, out, err = _validate(tmp_path, "--strict")
    assert (code, err) == (0, ""), err
    lines = out.splitlines()
    assert lines[0].startswith("voice.v (basic): 20 recordings, 3.0 min recorded")
    assert "takes 2.0 min to 10.0 min (the documented range)" in lines[0]
    assert lines[1].split() == [
        "file",
        "length",
        "speech",
        "format",
        "level",
        "SNR",
        "OVRL",
        "worst",
        "finding",
    ]
    assert lines[2].split()[:6] == ["0.wav", "9.0", "s", "8.4", "s", "48"]
    assert lines[2].endswith("ok") and lines[-1] == "Valid: 1 voice in 1 file."
    assert lines[5] == "  ... and 17 more (all ok)"


@pytest.mark.parametrize("case", BROKEN_SENTENCES)
def test_broken_sentence_is_refused(tmp_path: Path, case: str) -> None:
    make, fragment = BROKEN_SENTENCES[case]
    _sentences(tmp_path, make())
    code, out, err = _validate(tmp_path)
    assert code == 1
    assert any(fragment in line and "0.wav" in line for line in err.splitlines()), err
    # The table puts it first, with its worst finding, above two fine files.
    rows = out.splitlines()
    assert rows[2].lstrip().startswith("0.wav") and "error: " in rows[2], out
    assert rows[5] == "  ... and 17 more (all ok)"
    assert "unexpected" not in err


def test_twenty_silent_sentences_are_refused(tmp_path: Path) -> None:
    write_steady_pairs(tmp_path / "data", 20)
    for index in range(20):
        (tmp_path / "data" / f"{index}.wav").write_bytes(pcm16(_noise(9.0, -75, index), RATE))
    _config(tmp_path)
    code, _, err = _validate(tmp_path, "--no-table")
    assert code == 1 and "0.wav, 1.wav, 2.wav, 3.wav, 4.wav and 15 more: no speech found" in err


@pytest.mark.parametrize(
    ("make", "fragment"),
    [
        (lambda: _clean() + _noise(9.0, -50), "background noise (SNR below 35 dB)"),
        (lambda: _clean() * 10 ** (-14 / 20), "quiet (speech below -30 dBFS)"),
        (lambda: _clean() + 0.05, "DC offset"),
        (
            lambda: np.concatenate([_noise(1.6, -70), steady_signal(8.0, RATE, 1)]),
            "leading silence over 1 s",
        ),
    ],
    ids=["snr", "quiet", "dc", "leading"],
)
def test_risky_sentence_warns_but_passes(tmp_path: Path, make: Signal, fragment: str) -> None:
    _sentences(tmp_path, make())
    code, _, err = _validate(tmp_path, "--no-table")
    assert code == 0, err
    assert any(line.startswith("warning: ") and fragment in line for line in err.splitlines())
    assert _validate(tmp_path, "--no-table", "--strict")[0] == 1


def test_thresholds_are_tightened_and_relaxed_in_yaml(tmp_path: Path) -> None:
    _sentences(tmp_path, _clean() + _noise(9.0, -50))
    strict = "    checks: {min_snr_db: 40}\n"
    _config(tmp_path, extra=strict)
    code, _, err = _validate(tmp_path, "--no-table")
    assert code == 1 and "too noisy (SNR below 40 dB)" in err
    _config(tmp_path, extra="    checks: {advised_snr_db: 20}\n")
    assert _validate(tmp_path, "--no-table", "--strict")[0] == 0
    _config(tmp_path, extra="    checks: {min_snr_db: -3}\n")
    code, _, err = _validate(tmp_path, "--no-table")
    assert code == 1 and "checks.min_snr_db" in err and "unexpected" not in err


@pytest.mark.parametrize(
    ("text", "language", "fragment"),
    [
        ("This is an English sentence for the voice.", "CN", "written in English"),
        ("这是中文。", "EN", "written in Chinese"),
        ("。，！……", "CN", "no words in it"),  # noqa: RUF001
        ("这是" * 80, "CN", "does not fit its recording"),
        ("好。", "CN", "does not fit its recording"),
    ],
    ids=["english-for-cn", "chinese-for-en", "punctuation", "too-long", "too-short"],
)
def test_transcripts_that_cannot_match_are_refused(
    tmp_path: Path, text: str, language: str, fragment: str
) -> None:
    _sentences(tmp_path, text=text)
    _config(tmp_path, language=language)
    code, _, err = _validate(tmp_path, "--no-table")
    assert code == 1 and any("0.txt" in line and fragment in line for line in err.splitlines())


def test_english_transcripts_pass_for_an_english_voice(tmp_path: Path) -> None:
    write_steady_pairs(tmp_path / "data", 20)
    for index in range(20):
        text = (
            "This sentence is read aloud for the English training set, slowly and clearly, "
            "in a quiet room with one speaker and no echo at all."
        )
        (tmp_path / "data" / f"{index}.txt").write_text(text, encoding="utf-8")
    _config(tmp_path, language="EN")
    code, _, err = _validate(tmp_path, "--no-table", "--strict")
    assert code == 0, err
    assert TEXTS["CN"]  # the Chinese default set is what the other tests use


def _long_take(root: Path, signal: np.ndarray, edition: str, extra: str = "") -> None:
    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "data" / "take.wav").write_bytes(pcm16(signal, RATE))
    _config(root, edition, extra)


SHORT_TAKES = "    checks: {min_total_seconds: 60, advised_total_seconds: 60}\n"


def test_long_take_with_pauses_passes(tmp_path: Path) -> None:
    _long_take(tmp_path, steady_long_signal(120.0, RATE), "premium", SHORT_TAKES)
    code, out, err = _validate(tmp_path, "--strict")
    assert (code, err) == (0, ""), err
    assert "takes 1.0 min to any (checks in the config)" in out


def test_spliced_clips_are_refused_with_their_times(tmp_path: Path) -> None:
    clips = [
        np.concatenate([steady_signal(6.0, RATE, i)[: int(5.6 * RATE)], np.zeros(RATE)])
        for i in range(20)
    ]
    _long_take(tmp_path, np.concatenate(clips), "premium", SHORT_TAKES)
    code, _, err = _validate(tmp_path, "--no-table")
    assert code == 1 and "short clips spliced" in err and "at 5.6 s" in err


def test_long_take_without_pauses_is_refused_with_its_time(tmp_path: Path) -> None:
    run_on = np.concatenate(
        [steady_signal(6.0, RATE, i)[int(0.3 * RATE) : int(5.7 * RATE)] for i in range(15)]
    )
    signal = np.concatenate([_noise(0.3, -70), run_on, _noise(0.3, -70)])
    _long_take(tmp_path, signal, "premium", SHORT_TAKES)
    code, _, err = _validate(tmp_path, "--no-table")
    assert code == 1 and "no pause for over 15 s" in err and "from 0.3 s" in err


@pytest.mark.parametrize(
    ("edition", "seconds", "fragment"),
    [
        ("premium", 30.0, "too little for premium (30.0 min to any length, the documented"),
        ("third-party", 60.0, "too little for third-party (3.0 min to 30.0 min"),
        ("basic", 660.0, "more than basic takes (2.0 min to 10.0 min"),
    ],
)
def test_total_duration_outside_the_edition_is_refused(
    tmp_path: Path, edition: str, seconds: float, fragment: str
) -> None:
    _long_take(tmp_path, steady_long_signal(seconds, RATE), edition)
    code, _, err = _validate(tmp_path, "--no-table")
    assert code == 1 and fragment in err, err
    _long_take(
        tmp_path,
        steady_long_signal(seconds, RATE),
        edition,
        "    checks: {min_total_seconds: 20, max_total_seconds: 900, advised_total_seconds: 20}\n",
    )
    assert _validate(tmp_path, "--no-table", "--strict")[0] == 0


def test_json_lists_each_voices_measured_files(tmp_path: Path) -> None:
    _sentences(tmp_path, _clean() + _noise(9.0, -21))
    code, out, _ = _validate(tmp_path, "--format", "json")
    report = json.loads(out)
    assert code == 1 and report["valid"] is False and report["diagnostics"]
    voice = report["data"]["voice.v"]
    assert (voice["edition"], voice["min_seconds"], voice["max_seconds"]) == ("basic", 120, 600)
    assert len(voice["files"]) == 20 and voice["total_seconds"] == 180.0
    first = voice["files"][0]
    assert first["name"] == "0.wav" and first["format"] == "48 kHz 16-bit mono"
    assert first["snr_db"] < 25 and first["worst"]["severity"] == "error"
    assert voice["files"][1]["worst"] is None and voice["files"][1]["snr_db"] > 40


def test_measurements_are_cached_so_a_rerun_reads_no_audio(tmp_path: Path) -> None:
    from reconciler.config import load_config
    from reconciler.data import DigestCache, inspect_data

    _sentences(tmp_path)
    config = load_config(tmp_path / "voices.yaml")
    cold = DigestCache(tmp_path / "cache", clock=a_minute_later)  # the data is not new
    first = inspect_data(config, cache=cold)
    wav_bytes = sum(p.stat().st_size for p in (tmp_path / "data").glob("*.wav"))
    text_bytes = sum(p.stat().st_size for p in (tmp_path / "data").glob("*.txt"))
    # Every file's sha256 (what measurements are kept by: data.facts), and each distinct
    # recording measured once (write_steady_pairs repeats 5 takes).
    takes = {p.read_bytes() for p in (tmp_path / "data").glob("*.wav")}
    take_bytes = sum(len(take) for take in takes)
    assert len(takes) == 5 and cold.misses == 40 + 5
    # Each file hashed, each distinct recording decoded (libsndfile re-reads headers) and
    # its header read, each transcript read.
    hashed = wav_bytes + text_bytes
    assert hashed + take_bytes + text_bytes <= cold.bytes_read
    assert cold.bytes_read < hashed + take_bytes + text_bytes + 5 * 4096
    warm = DigestCache(tmp_path / "cache")  # a new run: only the records on disk
    second = inspect_data(config, cache=warm)
    assert (warm.hits, warm.misses, warm.bytes_read) == (40, 0, 0)
    assert second.voices["v"].rows == first.voices["v"].rows
    (tmp_path / "data" / "3.wav").write_bytes(pcm16(_noise(9.0, -75), RATE))  # changed
    again = DigestCache(tmp_path / "cache")
    found = inspect_data(config, cache=again)
    assert (again.hits, again.misses) == (39, 2)  # its digest and its measurement
    assert any("3.wav: no speech found" in d.message for d in found.diagnostics)


def test_a_recording_rewritten_in_place_with_its_mtime_set_back_is_measured_again(
    tmp_path: Path,
) -> None:
    """The measurements are keyed like the digests: a clean take rewritten as room tone at
    the same size, its mtime set back, is not judged by the clean take's cached numbers."""
    _sentences(tmp_path)

    def validate() -> tuple[int, str]:
        env = Environment(
            stdout=io.StringIO(),
            stderr=io.StringIO(),
            environ={},
            cwd=tmp_path,
            clock=a_minute_later,
        )
        code = main(["validate", "--format", "json"], env=env)
        assert isinstance(env.stdout, io.StringIO)
        return code, env.stdout.getvalue()

    assert validate()[0] == 0
    take = tmp_path / "data" / "3.wav"
    frames = (take.stat().st_size - len(pcm16(np.zeros(0), RATE))) // 2
    rewrite_in_place(take, pcm16(_noise(frames / RATE, -75), RATE))
    code, out = validate()
    assert code == 1
    messages = [d["message"] for d in json.loads(out)["diagnostics"]]
    assert any("3.wav: no speech found" in message for message in messages), messages


def test_the_tenants_op17_limits_replace_the_documented_ones(tmp_path: Path) -> None:
    from reconciler.config import load_config
    from reconciler.data import inspect_data, tenant_duration_limits
    from reconciler.metastudio import TenantDurations

    _long_take(tmp_path, steady_long_signal(90.0, RATE), "premium")
    config = load_config(tmp_path / "voices.yaml")
    offline = inspect_data(config)
    assert any("too little for premium" in d.message for d in offline.diagnostics)
    body = {"tenant_id": "t", "advance_min": 60, "advance_max": 600, "advance_advice_value": 80}
    body |= {"basic_min": "n/a", "middle_min": 600, "flexus_min": 1}
    limits = tenant_duration_limits(TenantDurations.from_raw(body))
    assert set(limits) == {"premium", "advanced"}  # basic's is no number; flexus no edition
    tenant = inspect_data(config, durations=limits)
    assert not [d for d in tenant.diagnostics if d.is_error], tenant.diagnostics
    data = tenant.voices["v"]
    assert (data.min_seconds, data.max_seconds, data.limits_from) == (
        60.0,
        600.0,
        "the tenant's limits",
    )
    body["advance_max"] = 80
    refused = inspect_data(config, durations=tenant_duration_limits(TenantDurations.from_raw(body)))
    assert any(
        "more than premium takes (1.0 min to 1.3 min, the tenant's" in d.message
        for d in refused.diagnostics
    )


def test_editions_are_mapped_from_the_typed_result_by_their_api_prefix() -> None:
    from reconciler.data import tenant_duration_limits
    from reconciler.metastudio import TenantDurations

    body = {"basic_min": 1, "middle_min": 2, "middle_max": 3, "advance_min": 4.5}
    body |= {"advance_advice_value": -1, "cmww_min": 5, "flexus_min": 6, "ljzn_min": 7}
    limits = tenant_duration_limits(TenantDurations.from_raw(body))
    assert set(limits) == {"basic", "advanced", "premium", "third-party"}  # no flexus, ljzn
    assert (limits["advanced"].min_seconds, limits["advanced"].max_seconds) == (2.0, 3.0)
    premium = limits["premium"]
    assert (premium.min_seconds, premium.max_seconds, premium.advised_seconds) == (4.5, None, None)
    assert limits["third-party"].min_seconds == 5.0
    # No usable minimum: the edition is left to the documented defaults whole.
    assert tenant_duration_limits(TenantDurations.from_raw({"basic_min": -3})) == {}
