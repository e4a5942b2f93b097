"""Metadata that never answers: one clear line, exit 1, within the command's --timeout
(issue 27). The metadata service is a loopback socket that accepts and never answers."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.emulator import Emulator
from tests.e2e.conftest import Project
from tests.e2e.test_cloud_credentials import make_project
from tests.metastudio.test_network_errors import SilentServer

COMMANDS = {
    "apply --wait": ("apply", "--auto-approve", "--wait", "--timeout", "0.5"),
    "status --wait": ("status", "--wait", "--timeout", "0.5"),
    "preview": ("preview", "voice.premium", "--out", "p", "--text", "hello", "--timeout", "0.5"),
    "assess": ("assess", "voice.premium", "--timeout", "0.5"),
}


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.close()


@pytest.fixture
def project(tmp_path: Path, emulator: Emulator, silent: SilentServer) -> Project:
    return make_project(
        tmp_path, emulator, {"HUAWEICLOUD_SDK_METADATA_URL": f"http://127.0.0.1:{silent.port}"}
    )


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_metadata_that_never_answers_is_given_no_longer_than_the_timeout(
    project: Project, silent: SilentServer, command: str
) -> None:
    code, out, err = project.run(*COMMANDS[command])
    assert code == 1, out + err
    (line,) = [line for line in err.splitlines() if "no MetaStudio credentials" in line]
    assert f"127.0.0.1:{silent.port} accepted the connection but sent no answer" in line
    waited = re.search(r"no answer within ([0-9.]+) s", line)
    assert waited is not None and float(waited.group(1)) == 0.5, line  # not the SDK's 3 s
    assert "Traceback" not in err
    assert len(silent.accepted) == 1  # asked once, not retried
    assert project.jobs() == []
