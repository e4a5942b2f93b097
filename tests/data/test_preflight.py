from __future__ import annotations

import os
import struct
import warnings
import zipfile
from pathlib import Path

import pytest

from reconciler.config import Diagnostic, load_config
from reconciler.data import preflight
from reconciler.speechlike import (
    steady_wav,
    tone_wav,
    transcript_for,
    write_steady_package,
    write_steady_recording,
)
from reconciler.speechlike import write_steady_pairs as pairs
from reconciler.wav import make_wav

DATA_LINE = 7
COLUMN = {"dir": 17, "package": 21, "segments": 22}


def _check(
    root: Path,
    edition: str = "basic",
    kind: str = "dir",
    declared: str = "data",
    extra: str = "",
    **options: object,
) -> list[Diagnostic]:
    (root / "voices.yaml").write_text(
        "version: 1\nprovider: {region: cn-north-4}\nvoices:\n  v:\n"
        f"    edition: {edition}\n    voice_name: V\n    data: {{{kind}: {declared}}}\n{extra}",
        encoding="utf-8",
    )
    return preflight(load_config(root / "voices.yaml"), **options)  # type: ignore[arg-type]


def _messages(found: list[Diagnostic], severity: str = "error") -> list[str]:
    return [d.message for d in found if d.severity == severity]


def _one_error(found: list[Diagnostic], fragment: str) -> Diagnostic:
    matches = [d for d in found if d.is_error and fragment in d.message]
    assert len(matches) == 1, [d.message for d in found]
    return matches[0]


# --- datasets that must pass ---------------------------------------------------------------


@pytest.mark.parametrize("kind", ["dir", "segments"])
def test_basic_sentence_folder_passes(tmp_path: Path, kind: str) -> None:
    pairs(tmp_path / "data", 20)
    (tmp_path / "data" / ".DS_Store").write_bytes(b"\0junk")
    assert _check(tmp_path, kind=kind) == []


def test_basic_package_passes(tmp_path: Path) -> None:
    write_steady_package(tmp_path / "data.zip", count=20)
    assert _check(tmp_path, kind="package", declared="data.zip") == []


def test_advanced_takes_one_hundred_pairs(tmp_path: Path) -> None:
    pairs(tmp_path / "data", 100, seconds=6.0)
    assert _check(tmp_path, edition="advanced") == []
    (tmp_path / "data" / "99.txt").unlink()
    assert (
        "found 99 complete sentence pairs; the advanced edition takes exactly 100"
        in (_messages(_check(tmp_path, edition="advanced"))[0])
    )


@pytest.mark.parametrize("edition", ["basic", "premium", "third-party"])
def test_long_recording_in_folder_or_zip(tmp_path: Path, edition: str) -> None:
    write_steady_recording(tmp_path / "data" / "VoiceClone.wav", 40.0)
    write_steady_package(tmp_path / "long.zip", count=None, seconds=40.0)
    short = "    checks: {min_total_seconds: 30, advised_total_seconds: 30}\n"  # 40 s takes
    assert _check(tmp_path, edition=edition, extra=short) == []
    assert _check(tmp_path, edition=edition, kind="package", declared="long.zip", extra=short) == []
    # A long take goes alone (API doc: "a zip containing one long WAV"); the review agrees.
    (tmp_path / "data" / "VoiceClone.txt").write_text(transcript_for(27), encoding="utf-8")
    assert _messages(_check(tmp_path, edition=edition, extra=short)) == [
        "VoiceClone.txt: a long recording goes alone (MetaStudio takes one .wav, no transcript): "
        "remove this file"
    ]


# --- shape of the dataset --------------------------------------------------------------------


def test_missing_pairs_are_listed_at_the_data_field(tmp_path: Path) -> None:
    pairs(tmp_path / "data", 18)
    found = [d for d in _check(tmp_path) if d.is_error]
    assert [(d.file.name, d.line, d.column, d.path) for d in found] == [
        ("voices.yaml", DATA_LINE, COLUMN["dir"], "voices.v.data.dir")
    ] * 2
    assert _messages(found) == [
        "found 18 complete sentence pairs; the basic edition takes exactly 20 "
        "(0.wav/0.txt to 19.wav/19.txt) or one long recording",
        "missing 18.wav, 18.txt, 19.wav, 19.txt",
    ]


def test_segments_need_sentences_not_a_long_recording(tmp_path: Path) -> None:
    write_steady_recording(tmp_path / "data" / "long.wav", 30.0)
    found = _messages(_check(tmp_path, kind="segments"))
    assert found[0].startswith("found 0 complete sentence pairs")
    assert "long recording" not in found[0]
    assert "long.wav: not one of the 20 sentence pairs" in found


def test_extra_and_foreign_files(tmp_path: Path) -> None:
    pairs(tmp_path / "data", 21)
    (tmp_path / "data" / "notes.md").write_text("hi")
    (tmp_path / "data" / "sub").mkdir()
    (tmp_path / "data" / "sub" / "0.wav").write_bytes(tone_wav(6))
    found = _messages(_check(tmp_path))
    assert "20.txt, 20.wav: not one of the 20 sentence pairs" in found
    assert "notes.md: neither a .wav recording nor a .txt text" in found
    assert "sub/0.wav: not at the top level, where MetaStudio looks for files" in found


def test_lone_sentence_pair_is_not_taken_for_a_long_recording(tmp_path: Path) -> None:
    pairs(tmp_path / "data", 1)
    assert _messages(_check(tmp_path))[0].startswith("found 1 complete sentence pairs")


def test_premium_refuses_sentence_sets(tmp_path: Path) -> None:
    pairs(tmp_path / "data", 20)
    found = _messages(_check(tmp_path, edition="premium"))
    assert found[0] == (
        "the premium edition takes one long recording (a single .wav file), found 20 .wav files"
    )


# --- recordings and texts --------------------------------------------------------------------


def _replace(root: Path, name: str, blob: bytes) -> None:
    (root / "data" / name).write_bytes(blob)


def test_sentence_over_15_seconds_is_an_error_under_5_a_warning(tmp_path: Path) -> None:
    pairs(tmp_path / "data", 20)
    _replace(tmp_path, "3.wav", steady_wav(16.0))
    _replace(tmp_path, "4.wav", steady_wav(4.5))
    found = _check(tmp_path)
    assert _messages(found) == [
        "3.wav (16.0 s): longer than 15 s (MetaStudio training fails on sentences over 15 s)"
    ]
    assert (
        "4.wav (4.5 s): shorter than 5 s (the recording guide asks for 5 to 15 s per sentence)"
        in _messages(found, "warning")
    )


def test_many_files_with_one_fault_make_one_line(tmp_path: Path) -> None:
    pairs(tmp_path / "data", 20, seconds=6.0, sample_rate=8000)
    found = _check(tmp_path)
    assert _messages(found) == [
        "0.wav (8000 Hz), 1.wav (8000 Hz), 2.wav (8000 Hz), 3.wav (8000 Hz), 4.wav (8000 Hz) "
        "and 15 more: sample rate not allowed (allowed: 48000 Hz)"
    ]
    assert _messages(_check(tmp_path, allowed_sample_rates=(8000,))) == []


@pytest.mark.parametrize(
    ("blob", "fragment"),
    [
        (make_wav(6, channels=2), "0.wav (2 ch): not mono"),
        (make_wav(6, bits=8), "0.wav (8-bit): bit depth not allowed (allowed: 16)"),
        (
            tone_wav(6)[:20] + struct.pack("<H", 3) + tone_wav(6)[22:],
            "0.wav (format 0x0003): not PCM audio",
        ),
        (b"ID3\x03 an mp3 renamed", "0.wav: not a usable WAV file: not a RIFF/WAVE file"),
        (tone_wav(6)[:2000], "0.wav: not a usable WAV file: data chunk is truncated"),
    ],
    ids=["stereo", "8-bit", "float", "not-wav", "truncated"],
)
def test_bad_recordings(tmp_path: Path, blob: bytes, fragment: str) -> None:
    pairs(tmp_path / "data", 20)
    _replace(tmp_path, "0.wav", blob)
    _one_error(_check(tmp_path), fragment)


@pytest.mark.parametrize(
    ("blob", "fragment"),
    [
        (b"caf\xe9", "0.txt (byte 3): not UTF-8 text"),
        (b" \n\t", "0.txt: empty (each recording needs its text)"),
        (b"\xef\xbb\xbf", "0.txt: empty"),
    ],
)
def test_bad_texts(tmp_path: Path, blob: bytes, fragment: str) -> None:
    pairs(tmp_path / "data", 20)
    _replace(tmp_path, "0.txt", blob)
    _one_error(_check(tmp_path), fragment)


def test_empty_long_recording(tmp_path: Path) -> None:
    write_steady_recording(tmp_path / "data" / "long.wav", 0.0)
    _one_error(_check(tmp_path, edition="premium"), "long.wav: no audio in it")


def test_mixed_sample_rates_warn(tmp_path: Path) -> None:
    pairs(tmp_path / "data", 20)
    _replace(tmp_path, "7.wav", steady_wav(9.0, sample_rate=16000))
    assert _messages(_check(tmp_path)) == [
        "7.wav (16000 Hz): sample rate not allowed (allowed: 48000 Hz)"
    ]
    widened = _check(tmp_path, allowed_sample_rates=(16000, 48000))
    assert _messages(widened, "warning") == [
        "7.wav (16000 Hz): the recording guide asks for 48000 Hz",
        "recordings mix sample rates: 16000 Hz (7.wav), 48000 Hz (0.wav); record them all alike",
    ]


# --- zips ------------------------------------------------------------------------------------


def test_zip_contents_are_checked_without_extracting(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "data.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        for index in range(20):
            archive.writestr(f"set/{index}.wav", tone_wav(6))
            archive.writestr(f"set/{index}.txt", "文字")
        archive.writestr("__MACOSX/._0.wav", b"")
    found = _messages(_check(tmp_path, kind="package", declared="data.zip"))
    assert {p.name for p in tmp_path.rglob("*")} == {"data.zip", "voices.yaml"}
    assert found == [
        "set/0.wav, set/0.txt, set/1.wav, set/1.txt, set/2.wav and 35 more: "
        "not at the top level, where MetaStudio looks for files",
        "__MACOSX/._0.wav: macOS Finder metadata or a hidden file, not training data (the "
        "review refuses it): zip the files without it, or declare their folder as data: "
        "{dir: ...}",
        "found 0 complete sentence pairs; the basic edition takes exactly 20 "
        "(0.wav/0.txt to 19.wav/19.txt) or one long recording",
        "missing 0.wav, 0.txt, 1.wav, 1.txt, 2.wav, 2.txt, 3.wav, 3.txt, 4.wav, 4.txt and 30 more",
    ]


def _mark_encrypted(path: Path, name: bytes) -> None:
    """Set the "encrypted" flag of a member in the central directory, which zipfile reads."""
    blob = bytearray(path.read_bytes())
    start = blob.index(b"PK\x01\x02", blob.rindex(name) - 46)
    blob[start + 8] |= 0x1
    path.write_bytes(bytes(blob))


def test_broken_duplicate_and_encrypted_zips(tmp_path: Path) -> None:
    (tmp_path / "bad.zip").write_bytes(b"PK\x03\x04 not a zip at all")
    _one_error(_check(tmp_path, kind="package", declared="bad.zip"), "is not a readable zip file")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(tmp_path / "odd.zip", "w") as archive:
            archive.writestr("long.wav", tone_wav(30))
            archive.writestr("long.wav", tone_wav(30))
            archive.writestr("secret.txt", b"\0" * 12)
    _mark_encrypted(tmp_path / "odd.zip", b"secret.txt")
    found = _messages(_check(tmp_path, edition="premium", kind="package", declared="odd.zip"))
    assert "long.wav: appears twice in the zip" in found
    assert "secret.txt: encrypted (MetaStudio cannot read it)" in found


# --- paths, sizes, letters -------------------------------------------------------------------


def test_missing_and_wrong_kind_of_path(tmp_path: Path) -> None:
    _one_error(_check(tmp_path), "data does not exist")
    (tmp_path / "data").write_text("a file")
    _one_error(_check(tmp_path), "data is not a folder")
    _one_error(_check(tmp_path, kind="package", declared="x.zip"), "x.zip does not exist")
    (tmp_path / "d.zip").mkdir()
    _one_error(_check(tmp_path, kind="package", declared="d.zip"), "d.zip is not a file")


def test_dot_dot_escape_is_refused_unless_allowed(tmp_path: Path) -> None:
    root = tmp_path / "config"
    root.mkdir()
    pairs(tmp_path / "outside", 20)
    error = _one_error(_check(root, declared="../outside"), "outside the config directory")
    assert error.message.startswith(f"../outside resolves to {tmp_path / 'outside'}")
    assert error.message.endswith("move it inside, or pass --allow-outside")
    assert _check(root, declared="../outside", allow_outside=True) == []
    assert _check(root, declared="../config/../outside", allow_outside=True) == []


def test_symlinks_pointing_out_are_refused_unless_allowed(tmp_path: Path) -> None:
    root = tmp_path / "config"
    pairs(root / "data", 20)
    (tmp_path / "elsewhere.wav").write_bytes(steady_wav(9.0))
    (root / "data" / "0.wav").unlink()
    (root / "data" / "0.wav").symlink_to(tmp_path / "elsewhere.wav")
    _one_error(_check(root), f"0.wav: links to {tmp_path / 'elsewhere.wav'}, outside the config")
    assert _check(root, allow_outside=True) == []
    (root / "linked").symlink_to(root / "data")  # inside the tree: fine
    assert _check(root, declared="linked", allow_outside=True) == []
    (root / "out").symlink_to(tmp_path)
    _one_error(_check(root, declared="out/config/data"), "outside the config directory")


def test_broken_symlink_in_folder(tmp_path: Path) -> None:
    pairs(tmp_path / "data", 20)
    (tmp_path / "data" / "0.txt").unlink()
    (tmp_path / "data" / "0.txt").symlink_to(tmp_path / "gone.txt")
    _one_error(_check(tmp_path), "0.txt: unreadable (a broken symlink?)")


def _sparse(path: Path, size: int) -> None:
    with path.open("wb") as stream:
        stream.truncate(size)


def test_package_over_one_put_is_refused(tmp_path: Path) -> None:
    _sparse(tmp_path / "huge.zip", 5 * 1024**3 + 1)
    _one_error(
        _check(tmp_path, kind="package", declared="huge.zip"), "huge.zip is larger than 5 GB"
    )


def test_folder_whose_zip_would_exceed_one_put_is_refused(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    _sparse(tmp_path / "data" / "long.wav", 5 * 1024**3 - 10)
    _one_error(_check(tmp_path, edition="premium"), "data would zip to more than 5 GB")
    found = _check(tmp_path, edition="basic", kind="segments")
    assert not any("5 GB" in d.message for d in found)


def test_authorization_letter(tmp_path: Path) -> None:
    write_steady_recording(tmp_path / "data" / "long.wav", 200.0)
    extra = "    authorization_letter: letters/v.pdf\n"
    error = _one_error(_check(tmp_path, extra=extra), "letters/v.pdf does not exist")
    assert (error.line, error.column, error.path) == (8, 27, "voices.v.authorization_letter")
    (tmp_path / "letters").mkdir()
    (tmp_path / "letters" / "v.pdf").write_bytes(b"")
    _one_error(_check(tmp_path, extra=extra), "letters/v.pdf is empty")
    (tmp_path / "letters" / "v.pdf").write_bytes(b"%PDF-1.4 signed")
    assert _check(tmp_path, extra=extra) == []
    for photo in (b"\xff\xd8\xff\xe0 JFIF photo", b"\x89PNG\r\n\x1a\n photo"):
        (tmp_path / "letters" / "v.pdf").write_bytes(photo)  # named .pdf: content decides
        assert _check(tmp_path, extra=extra) == []
    (tmp_path / "letters" / "v.pdf").write_bytes(b"I agree. Signed: me")
    _one_error(_check(tmp_path, extra=extra), "letters/v.pdf is not a PDF, JPEG or PNG file")
    _sparse(tmp_path / "letters" / "v.pdf", 20 * 1024 * 1024 + 1)
    _one_error(_check(tmp_path, extra=extra), "letters/v.pdf is larger than 20 MB")
    outside = "    authorization_letter: ../v.pdf\n"
    _one_error(_check(tmp_path, extra=outside), "outside the config directory")


def test_special_files_are_reported_not_read(tmp_path: Path) -> None:
    pairs(tmp_path / "data", 20)
    (tmp_path / "data" / "5.wav").unlink()
    os.mkfifo(tmp_path / "data" / "5.wav")  # reading it would hang forever
    _one_error(_check(tmp_path), "5.wav: not a regular file")
