"""The desired specs and the config digest: what a saved plan's apply pays for, and what the
digest must keep meaning."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from reconciler.config import Config, load_config
from reconciler.data import DigestCache
from reconciler.operations.desired import config_digest, desired_voices

LINEAGE = "6f1c8a52-0d5e-4c1e-9a57-3b0f3c2d9e11"

HEAD = """\
version: 1
provider: {region: cn-north-4}
defaults: {sex: FEMALE, language: CN}
"""
VOICES = """\
version: 1
voices:
  alpha:
    edition: basic
    voice_name: Alpha
    data: {segments: data/alpha}
    authorization_letter: letter.pdf
  beta: {edition: premium, voice_name: Beta, data: {package: data/shared.zip}}
  gamma:
    edition: premium
    voice_name: Gamma
    data: {package: data/shared.zip}
    authorization_letter: letter.pdf
  delta: {edition: advanced, voice_name: Delta, data: {dir: data/delta}}
"""
# The digest of this project as the version before the voices' data index computed it:
# saved plans carry it, and must stay valid.
PINNED = "sha256:eb3e269e86d467edce6fb7f6637a7a5b439249dd0939284d9fc41410aecf1af0"


def write_data(root: Path) -> None:
    for folder in ("alpha", "delta"):
        (root / "data" / folder).mkdir(parents=True)
        (root / "data" / folder / "0.wav").write_bytes(f"RIFF {folder}".encode())
        (root / "data" / folder / "0.txt").write_text(f"{folder} says hello\n")
    (root / "data" / "shared.zip").write_bytes(b"PK\x03\x04 shared")
    (root / "letter.pdf").write_bytes(b"%PDF-1.4 letter")


def previous_config_digest(config: Config, cache: DigestCache) -> str:
    """The formula as it was: over every voice's desired spec."""
    desired = desired_voices(config, cache, LINEAGE)
    digest = hashlib.sha256()
    for path in sorted(config.files):
        digest.update(str(path.relative_to(config.root_dir)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    for name in sorted(desired):
        spec = desired[name].spec
        digest.update(f"{name}\0{spec['data_digest']}\0".encode())
        digest.update(str(spec.get("authorization_letter_digest")).encode() + b"\0")
    return "sha256:" + digest.hexdigest()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "a-provider.yaml").write_text(HEAD)
    (root / "voices.yaml").write_text(VOICES)
    write_data(root)
    return root


def test_the_config_digest_is_the_one_saved_plans_carry(project: Path, tmp_path: Path) -> None:
    cache_dir = tmp_path / "cache"
    fresh = load_config(project, cache_dir=cache_dir)
    hit = load_config(project, cache_dir=cache_dir)
    assert hit.voices.built() == 0  # a cache hit indeed
    digests = DigestCache(tmp_path / "digests")
    found = config_digest(hit, digests)
    assert found == config_digest(fresh, digests) == previous_config_digest(fresh, digests)
    assert found == PINNED


def test_the_config_digest_follows_the_data(project: Path, tmp_path: Path) -> None:
    digests = DigestCache(tmp_path / "digests")
    before = config_digest(load_config(project), digests)
    (project / "letter.pdf").write_bytes(b"%PDF-1.4 another letter")
    assert config_digest(load_config(project), digests) != before


def many_voices(root: Path, count: int) -> None:
    """``count`` voices over five shared packages and two folders, some with a letter."""
    lines = ["version: 1", "voices:"]
    for i in range(count):
        data = f"{{dir: data/d{i % 2}}}" if i % 7 == 0 else f"{{package: data/p{i % 5}.zip}}"
        letter = ", authorization_letter: letter.pdf" if i % 3 == 0 else ""
        lines.append(f"  v{i:04d}: {{edition: premium, voice_name: V{i}, data: {data}{letter}}}")
    (root / "voices.yaml").write_text("\n".join(lines) + "\n")
    for p in range(5):
        (root / "data" / f"p{p}.zip").write_bytes(f"PK package {p}".encode())
    for d in range(2):
        for n in range(3):
            (root / "data" / f"d{d}").mkdir(exist_ok=True)
            (root / "data" / f"d{d}" / f"{n}.wav").write_bytes(f"RIFF {d} {n}".encode())


def test_a_saved_plans_check_pays_only_for_the_voices_it_applies(tmp_path: Path) -> None:
    root, cache_dir = tmp_path / "project", tmp_path / "cache"
    root.mkdir()
    (root / "a-provider.yaml").write_text(HEAD)
    (root / "data").mkdir()
    (root / "letter.pdf").write_bytes(b"%PDF-1.4 letter")
    many_voices(root, 1000)
    fresh = load_config(root, cache_dir=cache_dir)
    config = load_config(root, cache_dir=cache_dir)
    digests = DigestCache(tmp_path / "digests")

    digest = config_digest(config, digests)
    # Each distinct data source and letter digested once: 5 packages, 2 x 3 files, 1 letter.
    assert digests.hits + digests.misses == 5 + 6 + 1
    assert config.voices.built() == 0
    names = {"v0000", "v0001", "v0500"}  # a folder and a letter; a package; a package
    desired = desired_voices(config, digests, LINEAGE, names)
    assert config.voices.built() == 3
    assert digests.hits + digests.misses == 12 + (3 + 1) + 1 + 1

    assert list(desired) == sorted(names)
    everything = desired_voices(fresh, DigestCache(tmp_path / "digests"), LINEAGE)
    assert desired == {name: everything[name] for name in sorted(names)}
    assert digest == previous_config_digest(fresh, DigestCache(tmp_path / "digests"))
    assert len(config.voices) == 1000 and "v0999" in config.voices and "v1000" not in config.voices
    assert config.voices.built() == 3
