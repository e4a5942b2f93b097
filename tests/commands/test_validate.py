"""reconciler validate, run in-process through the real CLI entry point."""

from __future__ import annotations

import io
import json
from pathlib import Path

from reconciler.cli import main
from reconciler.environment import Environment
from reconciler.speechlike import steady_wav, write_steady_pairs, write_steady_recording

CONFIG = """\
version: 1
provider: {region: cn-north-4}
voices:
  alice:
    edition: basic
    voice_name: Alice
    data: {dir: data/alice}
  bob:
    edition: premium
    voice_name: Bob
    data: {dir: data/bob}
    checks: {min_total_seconds: 20, advised_total_seconds: 20}
"""


def _run(cwd: Path, *argv: str) -> tuple[int, str, str]:
    env = Environment(stdout=io.StringIO(), stderr=io.StringIO(), environ={}, cwd=cwd)
    # The data table has its own tests (test_data_checks); these are about the findings.
    table = [] if "--table" in argv else ["--no-table"]
    code = main(["validate", *table, *(a for a in argv if a != "--table")], env=env)
    assert isinstance(env.stdout, io.StringIO) and isinstance(env.stderr, io.StringIO)
    return code, env.stdout.getvalue(), env.stderr.getvalue()


def _project(root: Path, text: str = CONFIG) -> Path:
    write_steady_pairs(root / "data" / "alice", 20, seconds=9.5)
    write_steady_recording(root / "data" / "bob" / "bob.wav", 30.0)
    (root / "voices.yaml").write_text(text, encoding="utf-8")
    return root


def test_valid_config_prints_one_summary_line(tmp_path: Path) -> None:
    _project(tmp_path)
    assert _run(tmp_path) == (0, "Valid: 2 voices in 1 file.\n", "")
    assert _run(tmp_path.parent, str(tmp_path / "voices.yaml"))[0] == 0


def test_every_error_one_line_each_without_traceback(tmp_path: Path) -> None:
    _project(tmp_path, CONFIG.replace("basic", "pro").replace("Bob", "yes") + "  X: {}\n")
    code, out, err = _run(tmp_path, "voices.yaml")
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "voices.yaml:5:14: voices.alice.edition: 'pro' is not one of basic, advanced, premium, "
        "third-party",
        "voices.yaml:10:17: voices.bob.voice_name: must be a string, not a boolean (YAML reads "
        "yes/no/on/off/true/false as booleans: quote the text)",
        "voices.yaml:13:3: voices.X: 'X' is not a valid voice name: use 1 to 64 lowercase "
        "letters, digits, '-' or '_'",
        "voices.yaml:13:3: voices.X: missing required field 'data' (set it here or under defaults)",
        "voices.yaml:13:3: voices.X: missing required field 'edition' (set it here or under "
        "defaults)",
        "voices.yaml:13:3: voices.X: missing required field 'voice_name'",
        "Invalid: 6 errors.",
    ]
    assert "Traceback" not in err


def test_data_errors_and_warnings(tmp_path: Path) -> None:
    _project(tmp_path)
    (tmp_path / "data" / "alice" / "2.wav").write_bytes(steady_wav(16))
    (tmp_path / "data" / "alice" / "2.txt").write_text(
        "这是一句很长的训练文本" * 4, encoding="utf-8"
    )
    (tmp_path / "data" / "alice" / "3.wav").write_bytes(steady_wav(4))
    code, out, err = _run(tmp_path)
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "voices.yaml:7:17: voices.alice.data.dir: 2.wav (16.0 s): longer than 15 s "
        "(MetaStudio training fails on sentences over 15 s)",
        "warning: voices.yaml:7:17: voices.alice.data.dir: 3.wav (4.0 s): shorter than 5 s "
        "(the recording guide asks for 5 to 15 s per sentence)",
        "Invalid: 1 error (1 warning).",
    ]


def test_warnings_pass_unless_strict(tmp_path: Path) -> None:
    _project(tmp_path)
    (tmp_path / "data" / "alice" / "3.wav").write_bytes(steady_wav(4))
    code, out, err = _run(tmp_path)
    assert (code, out) == (0, "Valid: 2 voices in 1 file (1 warning).\n")
    assert err.startswith("warning: voices.yaml:7:17:")
    code, out, err = _run(tmp_path, "--strict")
    assert (code, out) == (1, "")
    assert err.splitlines()[-1] == "Invalid: 0 errors (1 warning) (--strict)."


def test_json_format(tmp_path: Path) -> None:
    _project(tmp_path)
    (tmp_path / "data" / "alice" / "3.wav").write_bytes(steady_wav(4))
    code, out, err = _run(tmp_path, ".", "--format", "json", "--strict")
    assert (code, err) == (1, "")
    report = json.loads(out)
    assert report["valid"] is False
    assert report["voices"] == 2
    assert report["files"] == ["voices.yaml"]
    [diagnostic] = report["diagnostics"]
    assert diagnostic == {
        "severity": "warning",
        "file": "voices.yaml",
        "line": 7,
        "column": 17,
        "path": "voices.alice.data.dir",
        "message": "3.wav (4.0 s): shorter than 5 s (the recording guide asks for 5 to 15 s "
        "per sentence)",
    }
    code, out, _ = _run(tmp_path, "--format", "json")
    assert code == 0 and json.loads(out)["valid"] is True


def test_directory_of_files(tmp_path: Path) -> None:
    _project(tmp_path)
    (tmp_path / "more.yml").write_text(
        "version: 1\nvoices:\n"
        "  carol: {edition: basic, voice_name: Carol, data: {dir: data/alice}}\n"
    )
    assert _run(tmp_path) == (0, "Valid: 3 voices in 2 files.\n", "")


def test_missing_path_and_syntax_error(tmp_path: Path) -> None:
    code, _, err = _run(tmp_path, "nope.yaml")
    assert (code, err.splitlines()[0]) == (1, "nope.yaml: no such file or directory")
    (tmp_path / "voices.yaml").write_text("version: 1\nvoices: {a: [}\n")
    code, _, err = _run(tmp_path)
    assert code == 1
    assert err.splitlines()[0].startswith("voices.yaml:2:14: YAML syntax error:")


def test_allow_outside_and_audio_options(tmp_path: Path) -> None:
    root = tmp_path / "project"
    write_steady_pairs(tmp_path / "shared", 20, sample_rate=8000)  # warns: not 48 kHz
    root.mkdir()
    (root / "voices.yaml").write_text(
        CONFIG.split("  bob:")[0].replace("data/alice", "../shared"), encoding="utf-8"
    )
    code, _, err = _run(root)
    assert code == 1 and "pass --allow-outside" in err
    code, _, err = _run(root, "--allow-outside")
    assert code == 1 and "sample rate not allowed" in err
    assert _run(root, "--allow-outside", "--sample-rates", "8000,16000")[0] == 0
    code, _, err = _run(root, "--sample-rates", "fast")
    assert code == 1 and "expected comma-separated numbers" in err
    assert len(err.splitlines()) == 1 and "see 'reconciler validate --help'" in err
