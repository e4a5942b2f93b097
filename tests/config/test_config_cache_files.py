"""One config-cache entry per YAML file: an edit of one file of ten reads that file again,
and the result (voices, locations, errors, the digest a saved plan checks) is a cold run's."""

from __future__ import annotations

import hashlib
import importlib
import os
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from reconciler.config import Config, InvalidConfig, load_config
from reconciler.data import DigestCache
from reconciler.operations.desired import config_digest
from tests.config.test_config_cache import everything

check = importlib.import_module("reconciler.config.check")
incremental = importlib.import_module("reconciler.config.incremental")

FILES = 9  # voice files, beside the head: ten files in all
PER_FILE = 5
SHA = "ab" * 32
HEAD = """\
version: 1
provider:
  endpoint: http://127.0.0.1:9
  project_id: p1
defaults:
  sex: FEMALE
  language: CN
  edition: premium
"""


def voice(i: int, voice_name: str | None = None) -> str:
    return (
        f"  v{i:03d}:\n    voice_name: {voice_name or f'Voice {i}'}\n"
        f"    data: {{package: s3://bucket/v{i}.zip, sha256: {SHA}}}\n"
    )


def voice_file(number: int, extra: str = "") -> str:
    body = "".join(voice(number * PER_FILE + i) for i in range(PER_FILE))
    return f"version: 1\nvoices:\n{body}{extra}"


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Files parsed, and cache entries read and written (those read fully or not)."""
    seen: Counter[str] = Counter()

    def counting(kind: str, module: Any, name: str) -> None:
        real: Callable[..., Any] = getattr(module, name)

        def call(*args: Any) -> Any:
            result = real(*args)
            seen[kind] += 1 if kind != "written" else int(result)
            return result

        monkeypatch.setattr(module, name, call)

    counting("parsed", check, "load_yaml")
    counting("read", incremental, "read_entry")
    counting("written", incremental, "write_entry")
    return seen


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "project"
    root.mkdir()
    (root / "voices.yaml").write_text(HEAD)
    for number in range(FILES):
        (root / f"voices-{number:03d}.yaml").write_text(voice_file(number))
    yield root


def load(root: Path) -> Config:
    return load_config(root, cwd=root, cache_dir=root / ".cache")


def cold(root: Path) -> Config:
    return load_config(root, cwd=root)


def digest(config: Config) -> str:
    return config_digest(config, DigestCache(config.root_dir / ".digests"))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_an_edit_of_one_file_of_ten_reads_and_writes_only_that_file(
    project: Path, work: Counter[str]
) -> None:
    before = load(project)
    assert work == Counter(parsed=10, read=10, written=10)
    saved_digest = digest(before)

    work.clear()
    edit(project / "voices-004.yaml", "voice_name: Voice 21", "voice_name: Voice 21b")
    config = load(project)
    assert work == Counter(parsed=1, read=10, written=1)
    # Only the edited file's voices were made; the other 40 wait in their entries.
    assert config.voices.built() == PER_FILE
    assert config.voices["v021"].voice_name == "Voice 21b"
    assert everything(config) == everything(cold(project))
    assert config.voices["v021"].location_of("sex").file == project / "voices.yaml"
    assert config.voices["v021"].location_of("sex").line == 6
    assert config.voices["v021"].source.file == project / "voices-004.yaml"
    # A plan saved before the edit is refused after it: the digest changed, as a cold
    # run's does, and is the same digest a cold run gives.
    assert digest(config) != saved_digest
    assert digest(config) == digest(cold(project))

    work.clear()
    again = load(project)
    assert work == Counter(read=10)
    assert again.voices.built() == 0 and everything(again) == everything(config)


@pytest.mark.parametrize(
    "change",
    [
        ("  language: CN\n", "  language: EN\n"),  # a default's value
        ("version: 1\n", "version: 1\n# a comment moves every inherited location\n"),
        ("  endpoint: http://127.0.0.1:9\n", "  region: cn-north-4\n"),  # object stores' region
    ],
)
def test_a_change_of_provider_or_defaults_reads_every_file_again(
    project: Path, work: Counter[str], change: tuple[str, str]
) -> None:
    load(project)
    work.clear()
    edit(project / "voices.yaml", *change)
    config = load(project)
    assert work["parsed"] == 10 and work["written"] == 10
    assert everything(config) == everything(cold(project))


def test_an_edit_of_the_head_that_no_voice_depends_on_reads_only_the_head(
    project: Path, work: Counter[str]
) -> None:
    load(project)
    work.clear()
    with (project / "voices.yaml").open("a") as head:
        head.write("state: {path: elsewhere.json}\n# the end\n")
    config = load(project)
    assert work == Counter(parsed=1, read=10, written=1)
    assert config.state_path == project / "elsewhere.json"
    assert everything(config) == everything(cold(project))


def test_a_renamed_file_is_read_under_its_new_name(project: Path, work: Counter[str]) -> None:
    load(project)
    work.clear()
    (project / "voices-003.yaml").rename(project / "voices-103.yaml")
    config = load(project)
    assert work == Counter(parsed=1, read=10, written=1)
    assert config.voices["v015"].source.file == project / "voices-103.yaml"
    assert everything(config) == everything(cold(project))


def test_a_deleted_file_takes_its_voices_away(project: Path, work: Counter[str]) -> None:
    before = load(project)
    saved_digest = digest(before)
    work.clear()
    (project / "voices-008.yaml").unlink()
    config = load(project)
    assert work == Counter(read=9)
    assert len(config.voices) == len(before.voices) - PER_FILE and "v040" not in config.voices
    assert everything(config) == everything(cold(project))
    assert digest(config) == digest(cold(project)) != saved_digest


def test_a_voice_moved_to_another_file(project: Path, work: Counter[str]) -> None:
    load(project)
    work.clear()
    edit(project / "voices-001.yaml", voice(5), "")
    with (project / "voices-007.yaml").open("a") as other:
        other.write(voice(5))
    config = load(project)
    assert work == Counter(parsed=2, read=10, written=2)
    assert config.voices["v005"].source.file == project / "voices-007.yaml"
    assert everything(config) == everything(cold(project))


def error_of(load_it: Callable[[Path], Config], root: Path) -> str:
    with pytest.raises(InvalidConfig) as error:
        load_it(root)
    return str(error.value)


@pytest.mark.parametrize(
    ("file", "extra", "expected"),
    [
        # v005 is still in voices-001.yaml, whose entry is kept.
        ("voices-007.yaml", voice(5), "voice 'v005' is defined twice"),
        ("voices-007.yaml", voice(900, "Voice 6"), "voice_name 'Voice 6' is also used"),
        ("voices-007.yaml", "moved: [{from: voice.v006, to: voice.v999}]\n", "still under"),
        ("voices-007.yaml", "removed: [{from: voice.v006}]\n", "still under voices"),
        ("voices-007.yaml", "defaults: {tag: NEWS}\n", "defaults is already defined"),
    ],
)
def test_a_rule_across_files_broken_by_an_edit_is_reported_as_cold(
    project: Path, work: Counter[str], file: str, extra: str, expected: str
) -> None:
    load(project)
    with (project / file).open("a") as edited:
        edited.write(extra)
    work.clear()
    message = error_of(load, project)
    assert work["parsed"] == 10  # the edited file once, though both paths looked at it
    assert expected in message
    assert message == error_of(cold, project)


def test_moved_and_removed_entries_across_files(project: Path, work: Counter[str]) -> None:
    (project / "voices-002.yaml").write_text(
        voice_file(2, "moved: [{from: voice.old, to: voice.v010}]\nremoved: [{from: voice.x}]\n")
    )
    load(project)
    work.clear()
    edit(project / "voices-005.yaml", "Voice 25", "Voice 25b")
    config = load(project)
    assert work == Counter(parsed=1, read=10, written=1)
    assert [(m.source, m.target, m.source_at.line) for m in config.moved] == [
        ("voice.old", "voice.v010", 18)
    ]
    assert everything(config) == everything(cold(project))
    assert (config.moved, config.removed) == (cold(project).moved, cold(project).removed)


def test_a_damaged_entry_costs_only_its_file(project: Path, work: Counter[str]) -> None:
    load(project)
    for entry in (project / ".cache" / "config").iterdir():
        if b"voices-006.yaml" in entry.read_bytes():
            entry.write_bytes(b"{damaged")
    work.clear()
    config = load(project)
    assert work == Counter(parsed=1, read=10, written=1)
    assert everything(config) == everything(cold(project))


def test_a_phone_keeps_only_its_own_file_out_of_the_cache(
    project: Path, work: Counter[str]
) -> None:
    edit(
        project / "voices-002.yaml",
        "    voice_name: Voice 10\n",
        '    voice_name: Voice 10\n    phone: "+86 138 0000 0000"\n',
    )
    load(project)
    assert work["written"] == 9
    cached = b"".join(entry.read_bytes() for entry in (project / ".cache" / "config").iterdir())
    assert b"0000 0000" not in cached and b"+86" not in cached
    work.clear()
    config = load(project)
    assert work == Counter(parsed=1, read=10)
    assert config.voices["v010"].phone == "+86 138 0000 0000"


def test_concurrent_runs_after_an_edit_agree(project: Path) -> None:
    load(project)
    edit(project / "voices-000.yaml", "Voice 1\n", "Voice 1b\n")
    with ThreadPoolExecutor(max_workers=4) as pool:
        configs = list(pool.map(lambda _: load(project), range(8)))
    expected = everything(cold(project))
    assert all(everything(config) == expected for config in configs)
    assert everything(load(project)) == expected


def test_a_damaged_voice_line_costs_only_its_file_when_used(
    project: Path, work: Counter[str]
) -> None:
    load(project)
    for entry in (project / ".cache" / "config").iterdir():
        text = entry.read_bytes()
        if b"voices-006.yaml" in text:
            entry.write_bytes(text.replace(b'["v031",{', b'["v031",{"bogus":1,'))
    work.clear()
    config = load(project)
    assert work == Counter(read=10)  # the header and index are sound: a hit
    assert config.voices["v031"].voice_name == "Voice 31"
    assert work == Counter(read=20, parsed=1, written=1)  # voices-006.yaml read again
    assert everything(config) == everything(cold(project))


def test_the_single_entry_of_earlier_versions_is_dropped(project: Path) -> None:
    """Before, a directory's configuration was one entry named after the directory."""
    slots = project / ".cache" / "config"
    slots.mkdir(parents=True)
    legacy = slots / f"{hashlib.sha256(os.fsencode(project)).hexdigest()}.json"
    legacy.write_bytes(b'{"key": "an old one"}\n{}\n')
    load(project)
    assert not legacy.exists()
    assert len(list(slots.iterdir())) == FILES + 1
