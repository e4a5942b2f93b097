"""Plan and apply do not parse or assemble a config whose files have not changed."""

from __future__ import annotations

import dataclasses
import importlib
import json
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from reconciler.config import Config, InvalidConfig, VoiceSpec, load_config
from reconciler.config.loader import Document
from tests.clocks import rewrite_in_place

check = importlib.import_module("reconciler.config.check")

CONFIG = """\
version: 1
provider:
  endpoint: http://127.0.0.1:9
  project_id: p1
  rate_limits: {query: 0}
defaults:
  sex: FEMALE
  language: CN
voices:
  alpha:
    edition: basic
    voice_name: Alpha
    tag: NEWS
    data: {dir: data/alpha}
    authorization_letter: letter.pdf
    lifecycle: {prevent_destroy: true, keep_asset: true}
    preview: {text: hello}
    checks: {min_snr_db: 30, cn_chars_per_second: [1, 9]}
  beta: {edition: premium, voice_name: Beta, data: {package: data/beta.zip}}
state: {backend: s3, bucket: team-voices, key: prod/state.json, region: cn-north-4}
moved: [{from: voice.old-beta, to: voice.beta}]
removed: [{from: voice.delta, destroy: true}]
"""


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    seen: list[Path] = []
    real: Callable[[Path], tuple[Document | None, list[Any]]] = check.load_yaml

    def counting(file: Path) -> tuple[Document | None, list[Any]]:
        seen.append(file)
        return real(file)

    monkeypatch.setattr(check, "load_yaml", counting)
    return seen


def everything(config: Config) -> list[Any]:
    """The config with what equality leaves out: every field of every voice, compared or
    not (where it was written, its data checks), and the state section."""
    voices = [everything_of(voice) for voice in config.voices.values()]
    return [config, config.state, list(config.voices), voices]


def everything_of(voice: VoiceSpec) -> dict[str, Any]:
    return {f.name: _plain(getattr(voice, f.name)) for f in dataclasses.fields(voice)}


def _plain(value: Any) -> Any:
    return dict(value) if isinstance(value, Mapping) else value


def test_an_unchanged_config_is_parsed_once(tmp_path: Path, parses: list[Path]) -> None:
    path, cache = tmp_path / "voices.yaml", tmp_path / "cache"
    path.write_text(CONFIG)
    first = load_config(path, cache_dir=cache)
    again = load_config(path, cache_dir=cache)
    assert len(parses) == 1
    assert everything(again) == everything(first) == everything(load_config(path))  # parses
    assert again.voices["alpha"].location_of("data.dir").line == 14
    assert again.voices["beta"].location_of("sex").line == 7  # from defaults, as parsed
    assert [(m.source, m.target, m.target_at.line) for m in again.moved] == [
        ("voice.old-beta", "voice.beta", 21)
    ]
    assert [(r.source, r.destroy, r.path) for r in again.removed] == [
        ("voice.delta", True, "removed[0]")
    ]

    path.write_text(CONFIG.replace("voice_name: Beta", "voice_name: Bravo"))
    changed = load_config(path, cache_dir=cache)
    assert len(parses) == 3 and changed.voices["beta"].voice_name == "Bravo"
    assert load_config(path, cache_dir=cache) == changed and len(parses) == 3


def test_an_edit_at_the_same_length_with_the_mtime_set_back_is_seen(
    tmp_path: Path, parses: list[Path]
) -> None:
    """The key is the files' bytes, not their stat: nothing about the file's times matters."""
    path, cache = tmp_path / "voices.yaml", tmp_path / "cache"
    path.write_text(CONFIG)
    assert load_config(path, cache_dir=cache).voices["beta"].voice_name == "Beta"
    rewrite_in_place(path, CONFIG.replace("voice_name: Beta", "voice_name: Bata").encode())
    assert load_config(path, cache_dir=cache).voices["beta"].voice_name == "Bata"
    assert len(parses) == 2


def test_a_directory_is_keyed_by_every_file(tmp_path: Path, parses: list[Path]) -> None:
    cache = tmp_path / "cache"
    (tmp_path / "a.yaml").write_text(CONFIG)
    load_config(tmp_path, cache_dir=cache)
    (tmp_path / "b.yaml").write_text(
        "version: 1\nvoices:\n  gamma: {edition: premium, voice_name: G, data: {package: g.zip}}\n"
    )
    config = load_config(tmp_path, cache_dir=cache)
    assert sorted(config.voices) == ["alpha", "beta", "gamma"]
    assert config.voices["gamma"].source.file == tmp_path / "b.yaml"
    assert load_config(tmp_path, cache_dir=cache) == config
    assert len(parses) == 2  # each file once: adding b.yaml leaves a.yaml's entry good


def test_an_error_after_a_cached_load_is_reported_as_without_cache(tmp_path: Path) -> None:
    path, cache = tmp_path / "voices.yaml", tmp_path / "cache"
    path.write_text(CONFIG)
    load_config(path, cache_dir=cache)
    path.write_text(CONFIG.replace("edition: premium", "edition: platinum"))
    with pytest.raises(InvalidConfig) as cached:
        load_config(path, cwd=tmp_path, cache_dir=cache)
    with pytest.raises(InvalidConfig) as fresh:
        load_config(path, cwd=tmp_path)
    assert str(cached.value) == str(fresh.value)
    assert str(cached.value).startswith("voices.yaml:19:")


def test_a_damaged_entry_is_rebuilt(tmp_path: Path, parses: list[Path]) -> None:
    path, cache = tmp_path / "voices.yaml", tmp_path / "cache"
    path.write_text(CONFIG)
    expected = load_config(path, cache_dir=cache)
    (entry,) = (cache / "config").iterdir()
    good = entry.read_bytes()
    head, index, alpha, beta = good.split(b"\n")
    old_format = json.dumps({"key": json.loads(head)["key"], "config": {}}).encode()
    for damage in (
        b"{not json",
        b"[]",
        old_format,  # format 2: one line, every voice in it
        b"\n".join([head, b"{}", alpha, beta]),  # no data index
        b"\n".join([head, index, alpha]),  # a voice's line missing
    ):
        entry.write_bytes(damage)
        assert everything(load_config(path, cache_dir=cache)) == everything(expected)
    assert len(parses) == 6
    assert entry.read_bytes() == good  # one slot per config, rewritten
    assert len(list((cache / "config").iterdir())) == 1


@pytest.mark.parametrize(
    "damage",
    [
        lambda voice: voice.update(source="nonsense"),
        lambda voice: voice.update(data=["dir", "/elsewhere", "elsewhere"]),  # not its place
        lambda voice: voice.pop("edition"),
    ],
)
@pytest.mark.parametrize("one_by_one", [True, False])
def test_a_damaged_voice_line_is_taken_from_the_yaml_when_first_used(
    tmp_path: Path,
    parses: list[Path],
    damage: Callable[[dict[str, Any]], object],
    one_by_one: bool,
) -> None:
    """A hit decodes a voice only when it is used, so that is when a bad line shows."""
    path, cache = tmp_path / "voices.yaml", tmp_path / "cache"
    path.write_text(CONFIG)
    expected = load_config(path, cache_dir=cache)
    (entry,) = (cache / "config").iterdir()
    good = entry.read_bytes()
    *lines, last = good.split(b"\n")
    name, fields = json.loads(last)
    damage(fields)
    entry.write_bytes(b"\n".join([*lines, json.dumps([name, fields]).encode()]))
    config = load_config(path, cache_dir=cache)
    assert len(parses) == 1  # the header and index were sound: a hit
    if one_by_one:  # as apply uses voices; a plan takes them all at once
        assert everything_of(config.voices["beta"]) == everything_of(expected.voices["beta"])
    assert everything(config) == everything(expected)
    assert len(parses) == 2  # beta's line was not: the YAML was read again for it
    assert entry.read_bytes() == good


def test_a_phone_number_is_never_copied_into_the_cache(tmp_path: Path, parses: list[Path]) -> None:
    path, cache = tmp_path / "voices.yaml", tmp_path / "cache"
    path.write_text(
        CONFIG.replace("    tag: NEWS\n", '    tag: NEWS\n    phone: "+86 138 0000 0000"\n')
    )
    for _ in range(2):
        assert load_config(path, cache_dir=cache).voices["alpha"].phone == "+86 138 0000 0000"
    assert len(parses) == 2
    assert not (cache / "config").exists() or not any((cache / "config").iterdir())


def test_threads_applying_voices_share_one_spec_each(tmp_path: Path) -> None:
    path, cache = tmp_path / "voices.yaml", tmp_path / "cache"
    path.write_text(CONFIG)
    load_config(path, cache_dir=cache)
    config = load_config(path, cache_dir=cache)
    with ThreadPoolExecutor(max_workers=8) as pool:
        specs = list(pool.map(lambda _: config.voices["alpha"], range(64)))
    assert all(spec is specs[0] for spec in specs)
    assert config.voices.built() == 1
    assert config.voices["alpha"] is specs[0] and dict(config.voices.items())["alpha"] is specs[0]
