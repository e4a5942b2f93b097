"""Op 17 (tenant-duration-cfg) as the SDK calls it, served from the tenant file."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from reconciler.cli import main
from reconciler.emulator import Tenant
from reconciler.environment import Environment
from tests.emulator.conftest import MakeEmulator
from tests.emulator.helpers import AK, PROJECT, SK, Api

ROOT = Path(__file__).resolve().parents[2]
# ShowTenantDurationCfgResponse's attribute_map in huaweicloudsdkmetastudio, in its order.
SDK_FIELDS = [
    "tenant_id",
    *(
        f"{e}_{s}"
        for e in ("basic", "middle", "advance", "flexus", "cmww", "ljzn")
        for s in ("min", "max", "advice_value")
    ),
    "short_assess_min",
    "short_assess_max",
]
# The SDK's path for show_tenant_duration_cfg, after /v1/{project_id}/.
SDK_PATH = "voice-training-manage/user/tenant-duration-cfg"


def test_default_durations_use_the_sdk_path_and_fields(make_emulator: MakeEmulator) -> None:
    api = Api(make_emulator(tenant=Tenant()).base_url)
    body = api.ok("GET", SDK_PATH)
    assert list(body) == SDK_FIELDS
    assert body["tenant_id"] == PROJECT
    assert all(isinstance(body[name], int) for name in SDK_FIELDS[1:])
    assert (body["basic_min"], body["basic_max"]) == (180, 600)
    assert (body["middle_min"], body["middle_max"]) == (600, 1800)
    assert body["advance_min"] == 3600
    assert api.call("POST", SDK_PATH).json()["error_code"] == "MSS.00010004"
    assert api.call("GET", SDK_PATH, sign=False).status_code in (400, 401)


def _serve(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "reconciler", "emulator", "serve", "--port", "0"]
    command += ["--data-dir", str(tmp_path / "data"), "--ak", AK, "--sk", SK, *args]
    command += ["--project-id", PROJECT]
    environ = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        command, cwd=ROOT, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_serve_tenant_file_overrides_some_durations(tmp_path: Path) -> None:
    tenant = tmp_path / "tenant.json"
    tenant.write_text(
        json.dumps({"durations": {"basic_min": 60, "advance_min": 30}, "quotas": {"basic": 2}})
    )
    process = _serve(tmp_path, "--tenant", str(tenant))
    try:
        assert process.stdout is not None
        base_url = process.stdout.readline().split(" on ")[1].split()[0]
        body = Api(base_url).ok("GET", SDK_PATH)
        assert (body["basic_min"], body["advance_min"]) == (60, 30)
        assert body["basic_max"] == 600  # not in the file: the default
        quotas = Api(base_url).ok("GET", "voice-training-manage/quotas")
        assert quotas["resource_available_nums"]["basic"] == 2
        assert quotas["resource_available_nums"]["middle"] == 1000  # not in the file
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ('{"durations": {"basic_min": 60,}}', "tenant.json:1:32: not valid JSON"),
        ('{"durations": {"basic_minimum": 60}}', "durations.basic_minimum: unknown field"),
        ('{"durations": {"basic_min": "60"}}', "durations.basic_min: must be a whole number"),
        ('{"durations": {"basic_min": 900}}', "basic_min (900) is above basic_max (600)"),
        ('{"quota": {"basic": 1}}', "quota: unknown section"),
        ('{"quotas": {"premium": 1}}', "quotas.premium: unknown edition"),
        ('{"quotas": {"basic": -1}}', "quotas.basic: must be a whole number >= 0"),
        ('{"quotas": {"basic": true}}', "quotas.basic: must be a whole number >= 0"),
        ('{"quotas": [1]}', "quotas: must be an object"),
    ],
)
def test_bad_tenant_file_is_a_one_line_error(tmp_path: Path, content: str, words: str) -> None:
    tenant = tmp_path / "tenant.json"
    tenant.write_text(content)
    stdout, stderr = io.StringIO(), io.StringIO()
    env = Environment(stdout=stdout, stderr=stderr, environ={})
    argv = ["emulator", "serve", "--data-dir", str(tmp_path / "d"), "--token", "t=p"]
    code = main([*argv, "--tenant", str(tenant)], env=env)
    lines = stderr.getvalue().splitlines()
    assert code == 1 and len(lines) == 1, lines
    assert "--tenant" in lines[0] and words in lines[0]
    assert "unexpected" not in lines[0].lower() and stdout.getvalue() == ""
