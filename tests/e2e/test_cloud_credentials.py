"""With only a region and AK/SK, or only an agency, plan and apply work: the emulator acts as
IAM (the project lookup), the metadata service (temporary keys) and MetaStudio."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.emulator import Emulator, FaultPlan
from tests.e2e.conftest import Project, write_data
from tests.metastudio.conftest import AK, SK, emulator_config
from tests.metastudio.test_network_errors import closed_port

REGION_ONLY = """\
version: 1
provider:
  region: cn-north-4
  endpoint: {endpoint}
  iam_endpoint: {endpoint}
  rate_limits: {{create: 0, upload_url: 0, query: 0}}
defaults:
  sex: FEMALE
  language: CN
  checks: {{min_total_seconds: 1, advised_total_seconds: 1}}
voices:
  premium:
    edition: premium
    voice_name: Premium
    data: {{dir: data/premium}}
  third:
    edition: third-party
    voice_name: Third
    data: {{package: data/long.zip}}
"""


def make_project(tmp_path: Path, emulator: Emulator, environ: dict[str, str]) -> Project:
    root = tmp_path / "project"
    root.mkdir()
    write_data(root)
    project = Project(root, emulator, {"RECONCILER_CACHE_DIR": str(tmp_path / "cache"), **environ})
    project.write_config(REGION_ONLY)
    return project


def operations(project: Project) -> dict[str, int]:
    return dict(project.admin("GET", "/stats")["operations"])


@pytest.fixture
def short_keys(tmp_path: Path) -> Iterator[Emulator]:
    """Temporary keys that last 1.5 s, and calls slow enough that an apply outlives them."""
    config = emulator_config(tmp_path / "emulator", metadata_ttl_seconds=1.5)
    with Emulator(config) as emulator:
        emulator.set_faults(FaultPlan.parse({"*": {"latency": 0.25}}))
        yield emulator


def test_region_and_keys_alone_plan_and_apply(tmp_path: Path, emulator: Emulator) -> None:
    project = make_project(tmp_path, emulator, {"HUAWEICLOUD_SDK_AK": AK, "HUAWEICLOUD_SDK_SK": SK})
    code, out, err = project.run("plan", "--detailed-exitcode")
    assert code == 2, out + err
    assert "Plan: 2 to create" in out
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0, out + err
    assert len(project.jobs()) == 2
    assert operations(project)["list_projects"] == 1  # then from .reconciler/projects.json
    cache = (project.root / ".reconciler" / "projects.json").read_text(encoding="utf-8")
    assert AK not in cache and SK not in cache


def test_only_an_agency_applies_and_its_keys_are_refreshed_mid_apply(
    tmp_path: Path, short_keys: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # what --debug would print: no secret there either
    project = make_project(
        tmp_path, short_keys, {"HUAWEICLOUD_SDK_METADATA_URL": short_keys.base_url}
    )
    code, plan_out, plan_err = project.run("plan", "--out", "tfplan")
    assert code == 0, plan_out + plan_err
    before = len(short_keys.core.agency.issued())
    code, out, err = project.run("apply", "--auto-approve", "--json")
    assert code == 0, out + err
    assert len(project.jobs()) == 2
    counts = operations(project)
    issued = short_keys.core.agency.issued()
    assert len(issued) == counts["get_securitykey"] >= before + 2, counts
    # Requests went on being accepted after the apply's first keys had expired: the apply
    # outlived them, on refreshed keys (the emulator refuses expired ones).
    first, last_used = issued[before], short_keys.core.agency.last_used()
    assert first.expires_at is not None and max(last_used.values()) > first.expires_at
    secrets = [s for c in issued for s in (c.ak, c.sk, str(c.security_token))]
    written = [p for p in project.root.rglob("*") if p.is_file() and "data" not in p.parts]
    assert any(p.name == "projects.json" for p in written)
    assert any(p.name == "tfplan" for p in written)
    outputs = [plan_out, plan_err, out, err, caplog.text]
    texts = [*outputs, *(p.read_bytes().decode("utf-8", "replace") for p in written)]
    leaks = [s for s in secrets for text in texts if s in text]
    assert leaks == []


def test_metadata_that_is_not_there_is_one_line(tmp_path: Path, emulator: Emulator) -> None:
    port = closed_port()
    project = make_project(
        tmp_path, emulator, {"HUAWEICLOUD_SDK_METADATA_URL": f"http://127.0.0.1:{port}"}
    )
    code, out, err = project.run("plan")
    assert code == 1, out + err
    assert err.count("\n") == 1 and "no MetaStudio credentials" in err
    assert f"127.0.0.1:{port} refused the connection" in err
    assert "Traceback" not in err


def test_a_region_metastudio_does_not_serve_is_refused_where_it_is_written(
    tmp_path: Path, emulator: Emulator
) -> None:
    project = make_project(tmp_path, emulator, {})
    text = (project.root / "voices.yaml").read_text(encoding="utf-8")
    alone = "\n".join(
        line.replace("cn-north-4", "eu-west-0")
        for line in text.splitlines()
        if "endpoint" not in line
    )
    (project.root / "voices.yaml").write_text(alone + "\n", encoding="utf-8")
    code, out, err = project.run("validate")
    assert code == 1, out + err
    assert "voices.yaml:3:11" in err and "provider.region" in err
    assert "not offered in region 'eu-west-0'" in err
