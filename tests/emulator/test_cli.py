"""``reconciler emulator serve`` as a real process, and the client/emulator separation."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import requests

from reconciler.cli import main
from reconciler.environment import Environment
from tests.emulator.helpers import AK, PROJECT, SK, USER, Api

ROOT = Path(__file__).resolve().parents[2]


def _serve(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "reconciler", "emulator", "serve", "--port", "0"]
    command += ["--data-dir", str(tmp_path / "data"), *args]
    environ = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.Popen(
        command, cwd=ROOT, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_serve_prints_the_url_answers_and_stops_on_sigterm(tmp_path: Path) -> None:
    env = {
        "HUAWEICLOUD_SDK_AK": AK,
        "HUAWEICLOUD_SDK_SK": SK,
        "HUAWEICLOUD_SDK_PROJECT_ID": PROJECT,
    }
    process = _serve(tmp_path, "--token", "cli-token", env=env)
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline()
        assert "MetaStudio emulator listening on http://127.0.0.1:" in first_line
        base_url = first_line.split(" on ")[1].split()[0]
        api = Api(base_url)
        assert api.create("basic")["job_id"]
        by_token = requests.get(
            f"{base_url}/v1/{PROJECT}/{USER}/jobs", headers={"X-Auth-Token": "cli-token"}, timeout=5
        )
        assert by_token.json()["count"] == 1
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
        output = (
            first_line + process.stdout.read() + (process.stderr.read() if process.stderr else "")
        )
        assert SK not in output and "cli-token" not in output
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_serve_without_credentials_is_a_one_line_error(tmp_path: Path) -> None:
    stdout, stderr = io.StringIO(), io.StringIO()
    env = Environment(stdout=stdout, stderr=stderr, environ={})
    code = main(["emulator", "serve", "--data-dir", str(tmp_path)], env=env)
    assert code == 1
    lines = stderr.getvalue().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: no credentials")
    assert stdout.getvalue() == ""


def test_serve_refuses_a_remote_host_without_opt_in(tmp_path: Path) -> None:
    stderr = io.StringIO()
    env = Environment(stdout=io.StringIO(), stderr=stderr, environ={})
    argv = [
        "emulator",
        "serve",
        "--data-dir",
        str(tmp_path),
        "--host",
        "192.0.2.1",
        "--token",
        "t=p",
    ]
    assert main(argv, env=env) == 1
    assert "--allow-remote" in stderr.getvalue()


def test_serve_rejects_a_bad_fault_plan(tmp_path: Path) -> None:
    stderr = io.StringIO()
    env = Environment(stdout=io.StringIO(), stderr=stderr, environ={})
    argv = ["emulator", "serve", "--data-dir", str(tmp_path), "--token", "t=p", "--faults", "{bad"]
    assert main(argv, env=env) == 1
    assert "--faults" in stderr.getvalue()


def test_emulator_does_not_import_the_client_or_its_preflight() -> None:
    code = (
        "import sys, reconciler.emulator, reconciler.commands.emulator\n"
        "client = ('reconciler.metastudio', 'reconciler.data')\n"
        "leaked = sorted(m for m in sys.modules if m.startswith(client))\n"
        "assert not leaked, leaked\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
