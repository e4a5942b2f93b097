"""Which recordings DNSMOS scores (``data.quality``): chosen by content, the same every time."""

from __future__ import annotations

import hashlib

from reconciler.data import quality
from reconciler.data.audio import AudioStats
from reconciler.data.checks import Thresholds


def _files(count: int, size: int = 960_000, salt: str = "") -> list[tuple[str, str, int]]:
    return [
        (f"{i}.wav", hashlib.sha256(f"{salt}{i}".encode()).hexdigest(), size) for i in range(count)
    ]


def test_the_sample_is_the_same_whatever_the_order_and_holds_the_share() -> None:
    files = _files(100)
    chosen = quality.choose(files)
    assert chosen == quality.choose(list(reversed(files)))
    assert len(chosen) == max(quality.MIN_FILES, round(quality.SHARE * 100))


def test_small_voices_get_the_minimum_and_a_single_take_is_scored() -> None:
    assert len(quality.choose(_files(20))) == quality.MIN_FILES
    assert quality.choose(_files(1)) == {"0.wav"}
    assert quality.choose([]) == frozenset()


def test_the_sample_follows_the_content_not_the_names() -> None:
    files = _files(100)
    renamed = [(f"x{name}", token, size) for name, token, size in files]
    assert {f"x{n}" for n in quality.choose(files)} == quality.choose(renamed)
    # A file whose content changed moves itself in or out, and the rest keep their places.
    changed = [*files[:-1], (files[-1][0], "another content", files[-1][2])]
    assert len(quality.choose(files) ^ quality.choose(changed)) <= 2
    assert quality.choose(files) != quality.choose(_files(100, salt="other"))


def test_a_long_file_counts_by_its_length() -> None:
    files = [*_files(19), ("take.wav", "long", 60 * 960_000)]
    chosen = quality.choose(files)
    taken = sum(size for name, _, size in files if name in chosen)
    total = sum(size for _, _, size in files)
    assert len(chosen) >= quality.MIN_FILES and taken >= quality.SHARE * total


def _stats(**changed: object) -> AudioStats:
    base = dict.fromkeys(f.name for f in AudioStats.__dataclass_fields__.values())
    values: dict[str, object] = {
        **base,
        "seconds": 8.0,
        "sample_rate": 48000,
        "channels": 1,
        "subtype": "PCM_16",
        "peak_dbfs": -4.0,
        "rms_dbfs": -25.0,
        "speech_dbfs": -22.0,
        "noise_dbfs": -62.0,
        "snr_db": 40.0,
        "dc_offset": 0.0,
        "clipped_share": 0.0,
        "longest_clip_run": 0,
        "leading_silence": 0.4,
        "trailing_silence": 0.4,
        "speech_seconds": 7.0,
        "digital_silence_seconds": 0.0,
        "cut_count": 0,
        "cuts_at": [],
        "sentence_pauses": 0,
        "longest_without_pause": 7.0,
        "longest_without_pause_at": 0.4,
        "longest_pause": 0.0,
        "longest_pause_at": 0.0,
        "models": ["voice activity", "pitch"],
        "snr_fallback": False,
        "speech_share": 0.9,
    }
    values.update(changed)
    found = AudioStats.from_dict(values)
    assert found is not None
    return found


def test_what_the_cheap_measures_doubt_is_scored_too() -> None:
    t = Thresholds()
    assert not quality.doubted(_stats(), t)
    assert quality.doubted(_stats(speech_share=0.1), t)  # music, tones or noise?
    assert quality.doubted(_stats(snr_fallback=True), t)
    assert quality.doubted(_stats(snr_db=30.0), t)
