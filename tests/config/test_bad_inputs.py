"""A table of broken configs: each must be caught, worded and located precisely."""

from __future__ import annotations

from pathlib import Path

import pytest

from reconciler.config import check_config
from tests.config.helpers import VALID, diagnostics, write

VOICE = "voices.alice"

# (id, yaml, line, column, field path, message fragment)
CASES: list[tuple[str, str, int, int, str, str]] = [
    (
        "syntax-bad-indent",
        VALID.replace("    voice_name: Alice", "   voice_name: Alice"),
        7,
        4,
        "",
        "YAML syntax error: expected <block end>, but found '<block mapping start>'",
    ),
    (
        "syntax-unclosed-flow",
        "version: 1\nprovider: {region: cn-north-4\nvoices: {}\n",
        3,
        7,
        "",
        "YAML syntax error",
    ),
    (
        "syntax-tab-indent",
        "version: 1\nprovider:\n\tregion: cn-north-4\n",
        3,
        1,
        "",
        "found character '\\t' that cannot start any token",
    ),
    (
        "syntax-two-documents",
        VALID + "---\nversion: 1\n",
        10,
        1,
        "",
        "expected a single document",
    ),
    ("empty-file", "# nothing yet\n", 1, 1, "", "the file is empty"),
    ("top-level-list", "- version: 1\n", 1, 1, "", "must be a mapping, not a list"),
    (
        "duplicate-field",
        VALID.replace("    edition: basic\n", "    edition: basic\n    edition: advanced\n"),
        7,
        5,
        f"{VOICE}.edition",
        "duplicate key 'edition' (first defined at line 6, column 5)",
    ),
    (
        "duplicate-voice-in-file",
        VALID + "  alice:\n    voice_name: Other\n",
        10,
        3,
        VOICE,
        "duplicate key 'alice' (first defined at line 5, column 3)",
    ),
    (
        "duplicate-top-level",
        VALID + "provider:\n  region: cn-east-3\n",
        10,
        1,
        "provider",
        "duplicate key 'provider' (first defined at line 2, column 1)",
    ),
    ("missing-version", VALID.replace("version: 1\n", ""), 1, 1, "", "missing required field"),
    ("wrong-version", VALID.replace("version: 1", "version: 2"), 1, 10, "version", "must be 1"),
    (
        "unknown-top-level-typo",
        VALID.replace("voices:", "voice:"),
        4,
        1,
        "voice",
        "unknown field 'voice' (did you mean 'voices'?)",
    ),
    (
        "unknown-voice-field-typo",
        VALID.replace("    edition: basic\n", "    edition: basic\n    descripton: calm\n"),
        7,
        5,
        f"{VOICE}.descripton",
        "unknown field 'descripton' (did you mean 'description'?)",
    ),
    (
        "misplaced-field",
        VALID + "    prevent_destroy: true\n",
        10,
        5,
        f"{VOICE}.prevent_destroy",
        "(it belongs under defaults.lifecycle or under voices.<name>.lifecycle)",
    ),
    (
        "voice-name-uppercase",
        VALID.replace("  alice:", "  Alice:"),
        5,
        3,
        "voices.Alice",
        "'Alice' is not a valid voice name: use 1 to 64 lowercase letters",
    ),
    (
        "voice-name-too-long",
        VALID.replace("  alice:", "  " + "a" * 65 + ":"),
        5,
        3,
        "voices." + "a" * 65,
        "is not a valid voice name",
    ),
    (
        "edition-unknown",
        VALID.replace("edition: basic", "edition: pro"),
        6,
        14,
        f"{VOICE}.edition",
        "'pro' is not one of basic, advanced, premium, third-party",
    ),
    (
        "sex-lowercase",
        VALID + "    sex: female\n",
        10,
        10,
        f"{VOICE}.sex",
        "'female' is not one of FEMALE, MALE (did you mean 'FEMALE'?)",
    ),
    (
        "tag-typo",
        VALID + "    tag: NEWZ\n",
        10,
        10,
        f"{VOICE}.tag",
        "(did you mean 'NEWS'?)",
    ),
    ("language-unknown", VALID + "    language: zh\n", 10, 15, f"{VOICE}.language", "CN, EN"),
    (
        "voice-name-missing",
        VALID.replace("    voice_name: Alice\n", ""),
        5,
        3,
        VOICE,
        "missing required field 'voice_name'",
    ),
    (
        "voice-name-blank",
        VALID.replace("voice_name: Alice", 'voice_name: "  "'),
        7,
        17,
        f"{VOICE}.voice_name",
        "must not be blank",
    ),
    (
        "voice-name-boolean",
        VALID.replace("voice_name: Alice", "voice_name: yes"),
        7,
        17,
        f"{VOICE}.voice_name",
        "must be a string, not a boolean (YAML reads yes/no/on/off/true/false as booleans",
    ),
    (
        "description-empty",
        VALID + "    description:\n",
        10,
        17,
        f"{VOICE}.description",
        "is empty; it must be a string",
    ),
    (
        "data-two-kinds",
        VALID + "      package: data/alice.zip\n",
        9,
        7,
        f"{VOICE}.data",
        "needs exactly one of package, dir or segments",
    ),
    (
        "data-as-string",
        VALID.replace("    data:\n      dir: data/alice\n", "    data: data/alice.zip\n"),
        8,
        11,
        f"{VOICE}.data",
        "needs exactly one of package, dir or segments",
    ),
    (
        "data-unknown-kind",
        VALID.replace("dir: data/alice", "zip: data/alice.zip"),
        9,
        7,
        f"{VOICE}.data.zip",
        "unknown field 'zip'",
    ),
    (
        "package-not-zip",
        VALID.replace("dir: data/alice", "package: data/alice.tar"),
        9,
        16,
        f"{VOICE}.data.package",
        "must name a .zip file",
    ),
    (
        "segments-for-premium",
        VALID.replace("edition: basic", "edition: premium").replace("dir:", "segments:"),
        9,
        17,
        f"{VOICE}.data.segments",
        "is only for the basic and advanced editions",
    ),
    (
        "segments-for-premium-via-defaults",
        VALID.replace("    edition: basic\n", "")
        .replace("voices:", "defaults:\n  edition: third-party\nvoices:")
        .replace("dir:", "segments:"),
        10,
        17,
        f"{VOICE}.data.segments",
        "this voice is third-party (set at voices.yaml:5:12)",
    ),
    (
        "edition-missing",
        VALID.replace("    edition: basic\n", ""),
        5,
        3,
        VOICE,
        "missing required field 'edition' (set it here or under defaults)",
    ),
    (
        "provider-emulator-and-region",
        VALID.replace("  region: cn-north-4", "  region: cn-north-4\n  emulator: .emu"),
        3,
        11,
        "provider.region",
        "emulator and region are mutually exclusive",
    ),
    (
        "region-not-served",
        VALID.replace("cn-north-4", "eu-west-0"),
        3,
        11,
        "provider.region",
        "MetaStudio voice training is not offered in region 'eu-west-0'",
    ),
    (
        "iam-endpoint-without-region",
        VALID.replace(
            "  region: cn-north-4",
            "  endpoint: https://ms.example.com\n  iam_endpoint: https://iam.example.com",
        ),
        4,
        17,
        "provider.iam_endpoint",
        "iam_endpoint needs region",
    ),
    (
        "provider-no-target",
        VALID.replace("  region: cn-north-4", "  project_id: abc"),
        3,
        3,
        "provider",
        "needs one of region, endpoint or emulator",
    ),
    (
        "provider-missing",
        VALID.replace("provider:\n  region: cn-north-4\n", ""),
        1,
        1,
        "provider",
        "missing required field 'provider'",
    ),
    (
        "region-malformed",
        VALID.replace("cn-north-4", "Beijing 4"),
        3,
        11,
        "provider.region",
        "must be a region id such as cn-north-4",
    ),
    (
        "app-user-id-chinese",
        VALID.replace("  region: cn-north-4", "  region: cn-north-4\n  app_user_id: 用户"),
        4,
        16,
        "provider.app_user_id",
        "Chinese characters are not allowed",
    ),
    (
        "prevent-destroy-not-boolean",
        VALID + "    lifecycle:\n      prevent_destroy: maybe\n",
        11,
        24,
        f"{VOICE}.lifecycle.prevent_destroy",
        "must be true or false, not a string",
    ),
    (
        "preview-without-text",
        VALID + "    preview: {}\n",
        10,
        5,
        f"{VOICE}.preview",
        "missing required field 'text'",
    ),
    (
        "state-unknown-field",
        VALID + "state:\n  paht: x.json\n",
        11,
        3,
        "state.paht",
        "unknown field 'paht' (did you mean 'path'?)",
    ),
    (
        "default-voice-name",
        VALID + "defaults:\n  voice_name: Same\n",
        11,
        3,
        "defaults.voice_name",
        "voice_name cannot have a default",
    ),
    (
        "voice-name-reused",
        VALID + "  bob:\n    edition: basic\n    voice_name: Alice\n    data: {dir: d}\n",
        12,
        17,
        "voices.bob.voice_name",
        "voice_name 'Alice' is also used by voice.alice",
    ),
    (
        "python-tag",
        VALID.replace("voice_name: Alice", "voice_name: !!python/name:os.system x"),
        7,
        17,
        "",
        "cannot read value: could not determine a constructor",
    ),
    (
        "unknown-tag-on-mapping",
        VALID.replace("    data:\n", "    data: !thing\n"),
        8,
        11,
        "",
        "unsupported YAML tag !thing",
    ),
    (
        "alias-cycle",
        "version: 1\nloop: &a\n  - *a\n",
        2,
        7,
        "",
        "an alias refers to its own anchor",
    ),
    (
        "non-text-key",
        VALID + "  ? [a, b]\n  : {}\n",
        10,
        5,
        "",
        "a mapping key must be plain text",
    ),
    (
        "control-character",
        VALID.replace("Alice", "Al\x07ice"),
        7,
        19,
        "",
        "character 0x7 is not allowed",
    ),
]


@pytest.mark.parametrize(
    ("text", "line", "column", "path", "fragment"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_bad_input_is_located(
    tmp_path: Path, text: str, line: int, column: int, path: str, fragment: str
) -> None:
    found = [d for d in diagnostics(tmp_path, text) if d.is_error]
    located = [(d.line, d.column, d.path, d.message) for d in found]
    assert any(
        (d.line, d.column, d.path) == (line, column, path) and fragment in d.message for d in found
    ), located


def test_table_is_large_and_distinct() -> None:
    assert len(CASES) >= 25
    assert len({case[0] for case in CASES}) == len(CASES)
    assert len({case[1] for case in CASES}) == len(CASES)


def test_not_utf8_is_located(tmp_path: Path) -> None:
    path = tmp_path / "voices.yaml"
    path.write_bytes(b"version: 1\nprovider:\n  region: cn-\xffnorth\n")
    (error,) = check_config(path).diagnostics
    assert (error.line, error.column, error.message) == (3, 14, "not UTF-8 (byte 0xff)")


def test_every_error_is_reported_at_once(tmp_path: Path) -> None:
    text = VALID.replace("edition: basic", "edition: pro") + "    sex: female\n    tag: X\n"
    text += "  Bob:\n    voice_name: Bob\n"
    found = diagnostics(tmp_path, text)
    assert sorted((d.line, d.path, d.message[:30]) for d in found) == [
        (6, f"{VOICE}.edition", "'pro' is not one of basic, adv"),
        (10, f"{VOICE}.sex", "'female' is not one of FEMALE,"),
        (11, f"{VOICE}.tag", "'X' is not one of ECOMMERCE, N"),
        (12, "voices.Bob", "'Bob' is not a valid voice nam"),
        (12, "voices.Bob", "missing required field 'data' "),
        (12, "voices.Bob", "missing required field 'editio"),
    ]


def test_one_line_format(tmp_path: Path) -> None:
    found = diagnostics(tmp_path, VALID.replace("edition: basic", "edition: pro"))
    assert [d.format(tmp_path) for d in found] == [
        "voices.yaml:6:14: voices.alice.edition: 'pro' is not one of basic, advanced, premium, "
        "third-party"
    ]


def test_phone_number_is_never_echoed(tmp_path: Path) -> None:
    found = diagnostics(tmp_path, VALID + "    phone: call 13800000000\n")
    assert [d.path for d in found] == [f"{VOICE}.phone"]
    assert "13800000000" not in found[0].message


def test_file_mentioned_in_other_files_directory(tmp_path: Path) -> None:
    write(tmp_path, VALID, "a.yaml")
    write(tmp_path, "version: 1\nvoices:\n  alice:\n    voice_name: Again\n", "b.yaml")
    write(tmp_path, "version: 1\nprovider:\n  region: cn-east-3\n", "c.yml")
    found = check_config(tmp_path).diagnostics
    assert [(d.file.name, d.line, d.column, d.path, d.message) for d in found] == [
        ("b.yaml", 3, 3, VOICE, "voice 'alice' is defined twice: here and at a.yaml:5:3"),
        (
            "c.yml",
            2,
            1,
            "provider",
            "provider is already defined at a.yaml:2:1; define it in one file only",
        ),
    ]
