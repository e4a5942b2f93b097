"""One vocabulary across commands: --timeout, --no-color everywhere, version, completion,
the progress interval, and what a run stopped by a signal counts as."""

from __future__ import annotations

import contextlib
import io
import shutil
import subprocess
from pathlib import Path

import pytest

from reconciler import __version__
from reconciler.apply.outcome import ApplyResult, Outcome, Result
from reconciler.cli import build_parser, main
from reconciler.environment import Environment
from reconciler.plan.model import Action
from reconciler.views.apply import summarise
from tests.cli_runs import run_cli

VERBS = ("plan", "apply", "destroy", "status", "validate", "import", "state", "preview")


def run_with(cwd: Path, environ: dict[str, str], *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    env = Environment(stdin=io.StringIO(), stdout=out, stderr=err, environ=environ, cwd=cwd)
    return main(list(argv), env=env), out.getvalue(), err.getvalue()


def test_version_as_a_verb_and_as_a_flag(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "version") == (0, f"reconciler {__version__}\n", "")
    with contextlib.redirect_stdout(io.StringIO()) as flag:  # argparse prints to sys.stdout
        assert run_cli(tmp_path, "--version")[0] == 0
    assert flag.getvalue() == f"reconciler {__version__}\n"


def command_paths() -> list[tuple[str, ...]]:
    """Every command of the parser, nested ones (`state rm`) included."""
    import argparse

    def walk(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> list[tuple[str, ...]]:
        found = []
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, child in action.choices.items():
                    found += [(*path, name), *walk(child, (*path, name))]
        return found

    return walk(build_parser(), ())


@pytest.mark.parametrize("path", command_paths(), ids=" ".join)
def test_every_command_takes_no_color(tmp_path: Path, path: tuple[str, ...]) -> None:
    with contextlib.redirect_stdout(io.StringIO()) as help_text:  # argparse prints to sys.stdout
        code, _, _ = run_cli(tmp_path, *path, "--help")
    assert code == 0 and "--no-color" in help_text.getvalue()


def test_apply_takes_timeout_and_warns_once_about_the_old_spelling(tmp_path: Path) -> None:
    code, out, err = run_cli(tmp_path, "apply", "--wait-timeout", "5", "--wait-timeout", "6")
    assert code == 1 and out == ""
    assert err.splitlines() == [
        "warning: --wait-timeout is deprecated and will be removed; use --timeout",
        "Error: --timeout only applies with --wait",
    ]
    code, _, err = run_cli(tmp_path, "apply", "--timeout", "5")
    assert (code, err.strip()) == (1, "Error: --timeout only applies with --wait")
    with contextlib.redirect_stdout(io.StringIO()) as help_text:
        run_cli(tmp_path, "apply", "--help")
    assert "--timeout" in help_text.getvalue() and "--wait-timeout" not in help_text.getvalue()


@pytest.mark.parametrize("value", ["soon", "-1", "nan", "86400"])
def test_a_bad_progress_interval_is_one_line_and_exit_1(tmp_path: Path, value: str) -> None:
    environ = {"RECONCILER_PROGRESS_INTERVAL": value}
    code, out, err = run_with(tmp_path, environ, "status")
    assert code == 1 and out == ""
    assert err.startswith(f"Error: RECONCILER_PROGRESS_INTERVAL={value!r}: expected seconds")
    assert len(err.splitlines()) == 1


def completion(tmp_path: Path, shell: str) -> str:
    code, out, err = run_cli(tmp_path, "completion", shell)
    assert (code, err) == (0, "")
    return out


def test_bash_completion_sources_cleanly_and_knows_every_verb(tmp_path: Path) -> None:
    script = tmp_path / "reconciler.bash"
    script.write_text(completion(tmp_path, "bash"))
    assert subprocess.run(["bash", "-n", str(script)], capture_output=True).returncode == 0
    done = subprocess.run(
        ["bash", "-c", f"source {script} && complete -p reconciler"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert "reconciler" in done.stdout
    text = script.read_text()
    for word in (*VERBS, "completion", "version", "--lock-timeout", "--no-color"):
        assert word in text


def test_zsh_completion_knows_every_verb(tmp_path: Path) -> None:
    text = completion(tmp_path, "zsh")
    assert text.startswith("#compdef reconciler")
    for word in (*VERBS, "--timeout"):
        assert word in text
    if shutil.which("zsh"):
        script = tmp_path / "_reconciler"
        script.write_text(text)
        assert subprocess.run(["zsh", "-n", str(script)]).returncode == 0


def test_fish_completion_knows_verbs_nested_verbs_and_choices(tmp_path: Path) -> None:
    text = completion(tmp_path, "fish")
    commands = next(
        line for line in text.splitlines() if line.startswith("set -g _shtab_reconciler_commands ")
    )
    for verb in (*VERBS, "completion", "version", "'state rm'", "'emulator serve'"):
        assert f" {verb}" in commands
    assert '-l format -xka "text markdown json"' in text
    assert '"bash zsh fish"' in text
    assert "wait-timeout" not in text  # the hidden old spelling stays hidden
    if shutil.which("fish"):
        script = tmp_path / "reconciler.fish"
        script.write_text(text)
        assert subprocess.run(["fish", "-n", str(script)]).returncode == 0


def test_voices_stopped_by_a_signal_are_counted_as_stopped_not_failed() -> None:
    result = ApplyResult(
        (
            Outcome("voice.a", Action.CREATE, Result.CREATED),
            Outcome("voice.b", Action.CREATE, Result.INTERRUPTED, "voice.b: stopped"),
            Outcome("voice.c", Action.CREATE, Result.INTERRUPTED, "voice.c: stopped"),
        )
    )
    out, err = io.StringIO(), io.StringIO()
    code = summarise(
        result, Environment(stdout=out, stderr=err, environ={}), "apply", destroy=False
    )
    assert code == 130
    assert (
        out.getvalue().strip()
        == "Apply stopped: 1 created, 0 updated, 0 replaced, 0 destroyed, 2 stopped."
    )
    assert "failed" not in out.getvalue() + err.getvalue()
    assert err.getvalue().splitlines()[:2] == [
        "  voice.b (create): voice.b: stopped",
        "  voice.c (create): voice.c: stopped",
    ]


def test_failed_and_stopped_voices_are_told_apart() -> None:
    result = ApplyResult(
        (
            Outcome("voice.a", Action.CREATE, Result.FAILED, "MSS.00000003 bad"),
            Outcome("voice.b", Action.DELETE, Result.INTERRUPTED, "voice.b: stopped"),
        )
    )
    out, err = io.StringIO(), io.StringIO()
    summarise(result, Environment(stdout=out, stderr=err, environ={}), "apply", destroy=False)
    assert out.getvalue().strip() == (
        "Apply finished with errors: 0 created, 0 updated, 0 replaced, 0 destroyed, "
        "1 failed, 1 stopped."
    )
