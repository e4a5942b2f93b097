from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.config import InvalidConfig, VoiceSpec, load_config
from reconciler.errors import ConfigError
from tests.config.helpers import VALID, write

FULL = """\
version: 1
provider:
  endpoint: http://127.0.0.1:18080
  project_id: 3f0924078d1b471c884a5383d4dec9fa
  app_user_id: user-1
  token_env: MY_TOKEN
state:
  path: state/prod.json
defaults:
  edition: advanced
  language: CN
  lifecycle: {prevent_destroy: true}
voices:
  zeta:
    voice_name: Zeta
    edition: premium
    sex: MALE
    tag: STORYTELLING
    description: Deep voice
    phone: "+86 138 0000 0000"
    output_language: EN
    custom_text: Hello there
    data: {package: data/zeta.zip}
    authorization_letter: letters/zeta.pdf
    lifecycle: {prevent_destroy: false}
    preview: {text: 你好}
  alpha:
    voice_name: Alpha
    data: {segments: data/alpha/}
"""


def test_full_config_becomes_voice_specs(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, FULL))
    assert config.root_dir == tmp_path
    assert config.state_path == tmp_path / "state/prod.json"
    assert config.provider.endpoint == "http://127.0.0.1:18080"
    assert config.provider.region is None
    assert config.provider.extra == {"token_env": "MY_TOKEN"}
    assert list(config.voices) == ["alpha", "zeta"]
    alpha, zeta = config.voices["alpha"], config.voices["zeta"]
    assert (alpha.address, alpha.edition, alpha.job_type) == ("voice.alpha", "advanced", "MIDDLE")
    assert alpha.create_path_segment == "middle-jobs"
    assert (alpha.data.kind, alpha.data.declared) == ("segments", "data/alpha/")
    assert alpha.data.path == tmp_path / "data/alpha"
    assert alpha.create_type == "SEGMENT"
    assert alpha.prevent_destroy is True and alpha.language == "CN"
    assert alpha.api_fields() == {"voice_name": "Alpha", "language": "CN", "create_type": "SEGMENT"}
    assert zeta.prevent_destroy is False  # the voice's lifecycle replaces the default whole
    assert (zeta.job_type, zeta.create_path_segment, zeta.create_type) == (
        "ADVANCE",
        "advance-jobs",
        "PACKAGE",
    )
    assert zeta.authorization_letter == tmp_path / "letters/zeta.pdf"
    assert zeta.preview_text == "你好"
    assert zeta.api_fields() == {
        "voice_name": "Zeta",
        "sex": "MALE",
        "language": "CN",
        "tag": "STORYTELLING",
        "description": "Deep voice",
        "phone": "+86 138 0000 0000",
        "output_language": "EN",
        "custom_text": "Hello there",
        "create_type": "PACKAGE",
    }
    assert (zeta.source.line, zeta.source.column) == (14, 3)
    assert zeta.location_of("data.package").line == 23
    assert alpha.location_of("edition").line == 10  # written under defaults
    assert "138" not in repr(zeta)


@pytest.mark.parametrize(
    ("edition", "job_type", "segment"),
    [
        ("basic", "BASIC", "basic-jobs"),
        ("advanced", "MIDDLE", "middle-jobs"),
        ("premium", "ADVANCE", "advance-jobs"),
        ("third-party", "THIRD_PARTY", "third-party-jobs"),
    ],
)
def test_edition_naming_trap(tmp_path: Path, edition: str, job_type: str, segment: str) -> None:
    voice = load_config(write(tmp_path, VALID.replace("basic", edition))).voices["alice"]
    assert (voice.job_type, voice.create_path_segment) == (job_type, segment)


def test_defaults_state_path_and_dir_data(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, VALID))
    assert config.state_path == tmp_path / "reconciler.state.json"
    assert config.files == (tmp_path / "voices.yaml",)
    voice = config.voices["alice"]
    assert (voice.create_type, voice.prevent_destroy, voice.preview_text) == (
        "PACKAGE",
        False,
        None,
    )


def test_equality_ignores_where_a_voice_is_written(tmp_path: Path) -> None:
    first = load_config(write(tmp_path, VALID)).voices["alice"]
    moved = load_config(write(tmp_path, "\n\n" + VALID)).voices["alice"]
    assert first.source != moved.source
    assert first == moved
    assert isinstance(first, VoiceSpec)


def test_directory_of_files_is_merged(tmp_path: Path) -> None:
    write(
        tmp_path, "version: 1\nprovider: {emulator: .emulator}\ndefaults: {sex: FEMALE}\n", "a.yml"
    )
    write(tmp_path, VALID.replace("provider:\n  region: cn-north-4\n", ""), "b.yaml")
    write(
        tmp_path,
        "version: 1\nvoices:\n  bob: {edition: premium, voice_name: Bob, data: {dir: bob}}\n",
        "c.yaml",
    )
    write(tmp_path, "not: [yaml config", "notes.txt")
    write(tmp_path, "version: 1\nbroken: [\n", ".hidden.yaml")
    config = load_config(tmp_path)
    assert [f.name for f in config.files] == ["a.yml", "b.yaml", "c.yaml"]
    assert config.provider.extra == {"emulator": ".emulator"}
    assert list(config.voices) == ["alice", "bob"]
    assert config.voices["bob"].sex == "FEMALE"


def test_load_config_raises_all_errors_one_per_line(tmp_path: Path) -> None:
    path = write(tmp_path, VALID.replace("basic", "pro") + "    sex: female\n")
    with pytest.raises(InvalidConfig) as caught:
        load_config(path, cwd=tmp_path)
    assert isinstance(caught.value, ConfigError)
    assert str(caught.value).splitlines() == [
        "voices.yaml:6:14: voices.alice.edition: 'pro' is not one of basic, advanced, premium, "
        "third-party",
        "voices.yaml:10:10: voices.alice.sex: 'female' is not one of FEMALE, MALE "
        "(did you mean 'FEMALE'?)",
    ]
    assert len(caught.value.diagnostics) == 2


@pytest.mark.parametrize(
    ("setup", "message"),
    [("missing", "no such file or directory"), ("empty-dir", r"no \*.yaml or \*.yml files")],
)
def test_nothing_to_load(tmp_path: Path, setup: str, message: str) -> None:
    target = tmp_path / "nothing.yaml" if setup == "missing" else tmp_path
    with pytest.raises(InvalidConfig, match=message):
        load_config(target)
