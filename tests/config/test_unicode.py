"""Text no encoder takes (lone surrogates) is a located error at validate, never a crash later.

PyYAML reads ``"\\ud800"`` as a lone surrogate, and a file name's bytes that are not UTF-8
become surrogates too (os.fsdecode); neither survives the UTF-8 of HTTP, JSON or a terminal.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
import yaml

from reconciler.cli import main
from reconciler.config import check_config
from reconciler.environment import Environment
from tests.config.helpers import VALID, write

NOT_UNICODE = "is not valid Unicode: {code} is a lone surrogate, not a character"

# (id, replaced line of VALID, its replacement, line, column, field path, escape named)
CASES = [
    ("description", "    voice_name: Alice\n",
     '    voice_name: Alice\n    description: "a\\ud800"\n', 8, 18,
     "voices.alice.description", "\\ud800"),
    ("surrogate-pair-escape", "voice_name: Alice", 'voice_name: "\\ud83d\\ude00"', 7, 17,
     "voices.alice.voice_name", "\\ud83d"),
    ("voice-key", "  alice:", '  "al\\udcffice":', 5, 3, "voices.al\\udcffice", "\\udcff"),
    ("field-key", "voice_name: Alice\n", 'voice_name: Alice\n    "tag\\udfff": NEWS\n', 8, 5,
     "voices.alice.tag\\udfff", "\\udfff"),
    ("data-path", "dir: data/alice", 'dir: "data/\\udcff"', 9, 12, "voices.alice.data.dir",
     "\\udcff"),
    ("region", "region: cn-north-4", 'region: "cn\\ud800"', 3, 11, "provider.region", "\\ud800"),
    ("preview-text", "    voice_name: Alice\n",
     '    voice_name: Alice\n    preview: {text: "hi \\udbff"}\n', 8, 21,
     "voices.alice.preview.text", "\\udbff"),
]  # fmt: skip


@pytest.fixture(params=[True, False], ids=["libyaml", "pure-python"])
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    # libyaml refuses such escapes itself; the pure-Python loader (which takes over for any
    # file libyaml rejects) reads them: both must end in the same located error.
    if request.param and not yaml.__with_libyaml__:
        pytest.skip("libyaml is not installed")
    monkeypatch.setattr(yaml, "__with_libyaml__", request.param)


@pytest.mark.usefixtures("loader")
@pytest.mark.parametrize(
    ("old", "new", "line", "column", "path", "code"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_lone_surrogates_are_located_errors(
    tmp_path: Path, old: str, new: str, line: int, column: int, path: str, code: str
) -> None:
    assert old in VALID
    check = check_config(write(tmp_path, VALID.replace(old, new)))
    assert check.config is None
    [error] = [e for e in check.errors if "not valid Unicode" in e.message]
    assert (error.line, error.column, error.path) == (line, column, path)
    assert NOT_UNICODE.format(code=code) in error.message
    for other in check.diagnostics:  # schema errors may quote the text: escaped, printable
        other.format(tmp_path).encode("utf-8")


def test_every_such_text_is_reported_at_once(tmp_path: Path) -> None:
    text = VALID.replace("  alice:", '  "a\\udcff":').replace("Alice", '"\\ud800"')
    errors = check_config(write(tmp_path, text)).errors
    assert [(e.line, e.path) for e in errors] == [
        (5, "voices.a\\udcff"),
        (7, "voices.a\\udcff.voice_name"),
    ]


def test_aliased_bad_text_is_reported_once(tmp_path: Path) -> None:
    text = VALID.replace("voice_name: Alice", 'voice_name: &bad "\\ud800"') + (
        "  bob: {edition: basic, voice_name: *bad, description: *bad, data: {dir: d}}\n"
    )
    errors = check_config(write(tmp_path, text)).errors
    [error] = [e for e in errors if "not valid Unicode" in e.message]
    assert (error.line, error.path) == (7, "voices.alice.voice_name")


def _cli(cwd: Path, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    env = Environment(stdin=io.StringIO(), stdout=out, stderr=err, environ={}, cwd=cwd)
    return main(list(argv), env=env), out.getvalue(), err.getvalue()


def test_validate_prints_the_error_in_text_and_json(tmp_path: Path) -> None:
    write(tmp_path, VALID.replace("voice_name: Alice", 'voice_name: "\\ud800"'))
    code, out, err = _cli(tmp_path, "validate", "voices.yaml")
    assert (code, out) == (1, "")
    assert err.splitlines()[0] == (
        "voices.yaml:7:17: voices.alice.voice_name: the text "
        + NOT_UNICODE.format(code="\\ud800")
        + " (write characters above U+FFFF as \\UXXXXXXXX or as themselves)"
    )
    code, out, err = _cli(tmp_path, "validate", "--format", "json", "voices.yaml")
    assert code == 1 and err == ""
    out.encode("utf-8")
    [diagnostic] = json.loads(out)["diagnostics"]
    assert diagnostic["path"] == "voices.alice.voice_name" and "\\ud800" in diagnostic["message"]


def test_a_config_file_name_that_is_not_utf8_is_an_error(tmp_path: Path) -> None:
    write(tmp_path, VALID, os.fsdecode(b"\xff.yaml"))
    code, out, err = _cli(tmp_path, "validate", ".")
    assert code == 1
    assert err.splitlines()[0] == "\\xff.yaml: the file name is not valid UTF-8: rename the file"
    code, out, err = _cli(tmp_path, "validate", "--format", "json", ".")
    assert json.loads(out)["files"] == ["\\xff.yaml"] and "unexpected" not in err
