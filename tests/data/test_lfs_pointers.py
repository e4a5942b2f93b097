"""Git LFS pointers stand for their content: same digests, and the lock's facts in place of
the bytes. Pointers are written here as Git LFS writes them (spec v1); the tests that need
git-lfs itself are in tests/e2e/test_lfs.py."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reconciler.config import DataSource, load_config
from reconciler.config.model import DataKind
from reconciler.data import DigestCache, data_digest, inspect_data
from reconciler.data.lfs import parse_pointer
from reconciler.data.lock import load_lock, render_lock, write_lock
from reconciler.speechlike import one_page_pdf, write_steady_package, write_steady_pairs
from tests.clocks import a_minute_later


def pointer_text(content: bytes) -> bytes:
    oid = hashlib.sha256(content).hexdigest()
    spec = "version https://git-lfs.github.com/spec/v1"
    return f"{spec}\noid sha256:{oid}\nsize {len(content)}\n".encode()


def to_pointers(folder: Path, suffixes: tuple[str, ...] = (".wav",)) -> int:
    """Replace the files with these suffixes by their pointers, as a checkout made without
    LFS content has them; returns the bytes of content they stood for."""
    total = 0
    files = [folder] if folder.is_file() else sorted(folder.rglob("*"))
    for path in files:
        if path.is_file() and path.suffix in suffixes:
            content = path.read_bytes()
            total += len(content)
            path.write_bytes(pointer_text(content))
    return total


CONFIG = """\
version: 1
provider: {region: cn-north-4}
defaults:
  checks: {min_total_seconds: 1, advised_total_seconds: 1}
voices:
  sentences:
    edition: basic
    voice_name: Sentences
    language: CN
    data: {dir: data/sentences}
    authorization_letter: letter.pdf
  packaged:
    edition: basic
    voice_name: Packaged
    language: CN
    data: {package: data/set.zip}
"""


def project(root: Path) -> Path:
    write_steady_pairs(root / "data" / "sentences", 20)
    write_steady_package(root / "data" / "set.zip")
    (root / "letter.pdf").write_bytes(one_page_pdf("signed"))
    (root / "voices.yaml").write_text(CONFIG, encoding="utf-8")
    return root / "voices.yaml"


def _cache(root: Path, name: str = "cache") -> DigestCache:
    return DigestCache(root / name, clock=a_minute_later)


def test_pointer_parsing_follows_the_spec() -> None:
    content = b"RIFF....WAVE"
    found = parse_pointer(pointer_text(content))
    assert found is not None
    assert (found.oid, found.size) == (hashlib.sha256(content).hexdigest(), len(content))
    good = pointer_text(content)
    assert parse_pointer(good.replace(b"size", b"bytes")) is None
    assert parse_pointer(good[:-1]) is None  # every line ends with a newline
    assert parse_pointer(good.replace(b"sha256:", b"sha1:")) is None
    assert parse_pointer(good.upper()) is None
    assert parse_pointer(good + b"x" * 1024) is None  # a pointer is at most 1024 bytes
    with_extension = good.replace(b"oid", b"ext-0-foo sha256:" + b"0" * 64 + b"\noid")
    assert parse_pointer(with_extension) is not None


def test_data_digests_are_those_recorded_by_earlier_versions(tmp_path: Path) -> None:
    """The digest never changed scheme: a folder's is the sha256 of its sorted (name, file
    sha256) JSON lines, a zip's its own sha256. States written before pointers were
    understood therefore plan no replacement."""
    project(tmp_path)
    folder = tmp_path / "data" / "sentences"
    lines = b"".join(
        json.dumps([p.name, hashlib.sha256(p.read_bytes()).hexdigest()]).encode() + b"\n"
        for p in sorted(folder.iterdir(), key=lambda p: p.name)
    )
    cache = _cache(tmp_path)
    assert data_digest(DataSource("dir", folder, "x"), cache) == (
        "sha256:" + hashlib.sha256(lines).hexdigest()
    )
    package = tmp_path / "data" / "set.zip"
    assert data_digest(DataSource("package", package, "x"), cache) == (
        "sha256:" + hashlib.sha256(package.read_bytes()).hexdigest()
    )


def test_pointers_digest_exactly_as_their_content_with_no_byte_of_it_read(
    tmp_path: Path,
) -> None:
    full, bare = tmp_path / "full", tmp_path / "bare"
    project(full)
    shutil.copytree(full, bare)
    assert to_pointers(bare / "data", (".wav", ".txt", ".zip")) > 1_000_000
    to_pointers(bare / "letter.pdf", (".pdf",))
    warm, cold = _cache(full), _cache(tmp_path, "bare-cache")
    kinds: tuple[tuple[DataKind, str], ...] = (
        ("dir", "sentences"),
        ("segments", "sentences"),
        ("package", "set.zip"),
    )
    for kind, name in kinds:
        here = DataSource(kind, full / "data" / name, name)
        there = DataSource(kind, bare / "data" / name, name)
        assert data_digest(here, warm) == data_digest(there, cold)
    assert warm.file_digest(full / "letter.pdf") == cold.file_digest(bare / "letter.pdf")
    assert cold.bytes_read == 0
    assert 0 < cold.pointer_bytes < 1024 * 45


def test_a_checkout_of_pointers_checks_against_the_lock_and_reads_no_audio(
    tmp_path: Path,
) -> None:
    full, bare = tmp_path / "full", tmp_path / "bare"
    config = project(full)
    written = inspect_data(load_config(config), cache=_cache(full), updating_lock=True)
    assert [d.message for d in written.diagnostics if d.is_error] == []
    assert set(written.locked) == {"data/sentences", "data/set.zip", "letter.pdf"}
    write_lock(full, written.locked)
    lock_text = (full / "reconciler.lock").read_text("utf-8")
    assert lock_text == render_lock(json.loads(lock_text)["data"])  # its own layout: stable
    assert lock_text.count("\n") > 40  # one line per file: small diffs
    shutil.copytree(full, bare)
    to_pointers(bare / "data", (".wav", ".txt", ".zip"))
    to_pointers(bare / "letter.pdf", (".pdf",))

    cache = _cache(tmp_path, "bare-cache")
    seen = inspect_data(load_config(bare / "voices.yaml"), cache=cache)
    assert [d.message for d in seen.diagnostics] == [d.message for d in written.diagnostics]
    assert cache.bytes_read == 0
    # The same measurements, table rows and all.
    assert seen.voices == written.voices
    assert seen.voices["sentences"].rows and seen.voices["sentences"].rows[0].snr_db is not None


def _bare_project(tmp_path: Path) -> Path:
    full, bare = tmp_path / "full", tmp_path / "bare"
    config = project(full)
    written = inspect_data(load_config(config), cache=_cache(full), updating_lock=True)
    write_lock(full, written.locked)
    shutil.copytree(full, bare)
    to_pointers(bare / "data", (".wav", ".zip"))
    return bare


def _errors(root: Path) -> list[str]:
    found = inspect_data(load_config(root / "voices.yaml"), cache=_cache(root, ".c"))
    found.diagnostics.sort(key=lambda d: d.sort_key())
    return [
        f"{d.file.name}:{d.line}: {d.path}: {d.message}" for d in found.diagnostics if d.is_error
    ]


def test_pointers_without_a_lock_are_a_located_error_naming_the_command(tmp_path: Path) -> None:
    bare = _bare_project(tmp_path)
    (bare / "reconciler.lock").unlink()
    errors = _errors(bare)
    assert len(errors) == 2, errors
    assert errors[0].startswith("voices.yaml:10: voices.sentences.data.dir: 0.wav, 1.wav")
    assert "there is no reconciler.lock" in errors[0]
    assert "run `reconciler validate --update-lock` where the data is present" in errors[0]
    assert errors[1].startswith("voices.yaml:16: voices.packaged.data.package: data/set.zip is a")


def test_a_stale_lock_entry_for_a_pointer_is_an_error(tmp_path: Path) -> None:
    bare = _bare_project(tmp_path)
    take = bare / "data" / "sentences" / "3.wav"
    take.write_bytes(pointer_text(b"RIFF another recording"))
    errors = _errors(bare)
    assert len(errors) == 1, errors
    assert (
        "3.wav: a Git LFS pointer whose content is not checked out, and reconciler.lock is stale"
        in errors[0]
    )


def test_a_lock_entry_for_a_file_that_no_longer_exists_is_an_error(tmp_path: Path) -> None:
    bare = _bare_project(tmp_path)
    (bare / "data" / "sentences" / "19.txt").unlink()
    (bare / "data" / "sentences" / "19.wav").unlink()
    errors = _errors(bare)
    assert any(
        "19.txt, 19.wav: listed in reconciler.lock, but no longer exists: "
        "run `reconciler validate --update-lock`" in e
        for e in errors
    ), errors


def test_present_data_is_judged_from_its_bytes_and_an_outdated_lock_only_warned(
    tmp_path: Path,
) -> None:
    full = tmp_path / "full"
    config = project(full)
    write_lock(
        full, inspect_data(load_config(config), cache=_cache(full), updating_lock=True).locked
    )
    # The transcript of sentence 2 no longer fits the language: judged from the new bytes.
    (full / "data" / "sentences" / "2.txt").write_text("Hello there, a new sentence.", "utf-8")
    found = inspect_data(load_config(config), cache=_cache(full, ".other"))
    messages = [(d.severity, d.message) for d in found.diagnostics]
    assert any(s == "error" and "2.txt: written in English" in m for s, m in messages), messages
    assert any(s == "warning" and "2.txt: changed since reconciler.lock" in m for s, m in messages)


def test_a_damaged_lock_is_a_located_error(tmp_path: Path) -> None:
    (tmp_path / "reconciler.lock").write_text('{"lock_version": 1,\n "data": [}', "utf-8")
    lock, problems = load_lock(tmp_path)
    assert lock is None
    assert [(p.file.name, p.line) for p in problems] == [("reconciler.lock", 2)]
    assert "--update-lock" in problems[0].message


def test_warm_checks_read_no_header_or_transcript(tmp_path: Path) -> None:
    """Facts are kept by content: a second run, even from a new place of the same data
    (a fresh clone), reads no byte of it beyond the stat-keyed digest."""
    config = project(tmp_path / "a")
    first = _cache(tmp_path, "c")
    inspect_data(load_config(config), cache=first)
    assert first.bytes_read > 0
    again = _cache(tmp_path, "c")
    inspect_data(load_config(config), cache=again)
    assert again.bytes_read == 0
    # Elsewhere (new inodes: the digests are read again, the facts are not).
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    moved = _cache(tmp_path, "c")
    inspect_data(load_config(tmp_path / "b" / "voices.yaml"), cache=moved)
    data = [p for p in (tmp_path / "b").rglob("*") if p.suffix in (".wav", ".txt", ".zip", ".pdf")]
    hashed = sum(p.stat().st_size for p in data)
    assert moved.bytes_read == hashed  # hashing only: no header, measurement or transcript


@pytest.mark.parametrize("damage", ["no facts", "old measurements", "a measurement as text"])
def test_a_lock_without_current_measurements_asks_for_an_update(
    tmp_path: Path, damage: str
) -> None:
    bare = _bare_project(tmp_path)
    lock = json.loads((bare / "reconciler.lock").read_text("utf-8"))
    entry = lock["data"]["data/sentences"]["files"]["4.wav"]
    if damage == "no facts":
        entry.pop("wav")
    elif damage == "old measurements":
        entry["analysis"].pop("snr_db")
    else:  # of a shape the schema allows (a format name is text), of a type the field is not
        entry["analysis"]["snr_db"] = "40 dB"
    (bare / "reconciler.lock").write_text(render_lock(lock["data"]), "utf-8")
    errors = _errors(bare)
    assert len(errors) == 1 and "4.wav: a Git LFS pointer" in errors[0], errors
    assert "--update-lock" in errors[0]


@pytest.mark.parametrize(
    ("damage", "said"),
    [
        (
            lambda files: files["4.wav"].update(sha256="4" * 63),
            '["data/sentences"]["files"]["4.wav"]["sha256"]: "444',
        ),
        (
            lambda files: files["4.wav"]["analysis"].update(snr_db={"db": 40}),
            '["data/sentences"]["files"]["4.wav"]["analysis"]["snr_db"]',
        ),
        (
            lambda files: files["4.wav"]["wav"].update(sample_rate="48000"),
            '["data/sentences"]["files"]["4.wav"]["wav"]["sample_rate"]',
        ),
        (lambda files: files["4.wav"].pop("size"), '["data/sentences"]["files"]["4.wav"]'),
    ],
)
def test_a_lock_whose_entry_is_damaged_is_an_error_at_its_line(
    tmp_path: Path, damage: Callable[[dict[str, Any]], object], said: str
) -> None:
    """A hand edit or a bad merge: the plan must not judge data by facts of the wrong shape
    (nor crash on them); the error names the lock's line and the entry's path."""
    bare = _bare_project(tmp_path)
    lock = json.loads((bare / "reconciler.lock").read_text("utf-8"))
    damage(lock["data"]["data/sentences"]["files"])
    text = render_lock(lock["data"])
    (bare / "reconciler.lock").write_text(text, "utf-8")
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.lstrip().startswith('"4.wav"'))
    loaded, problems = load_lock(bare)
    assert loaded is None and len(problems) == 1
    assert (problems[0].file.name, problems[0].line) == ("reconciler.lock", line)
    assert f"reconciler.lock is damaged at data{said}" in problems[0].message
    assert "reconciler validate --update-lock" in problems[0].message
    errors = _errors(bare)
    assert errors and any(f"reconciler.lock:{line}: " in e for e in errors), errors


def test_the_lock_written_by_validate_is_valid_against_its_schema(tmp_path: Path) -> None:
    bare = _bare_project(tmp_path)
    loaded, problems = load_lock(bare)
    assert problems == [] and loaded is not None
    assert loaded.file("data/set.zip") is not None and loaded.folder("data/sentences")
