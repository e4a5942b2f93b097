"""Plan and apply judge total durations by the tenant's own limits (op 17) when they can ask
MetaStudio; validate, offline, by the documented ones."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import cast

import pytest

from reconciler.emulator import Emulator, Tenant
from tests.e2e.conftest import Project, write_data
from tests.metastudio.conftest import AK, SK, emulator_config

# 20 sentences of 3.5 s: 70 s of basic, under the documented 2 minutes.
ONE_BASIC = """\
version: 1
provider:
  endpoint: {endpoint}
  project_id: {project}
voices:
  news:
    edition: basic
    voice_name: News
    sex: FEMALE
    language: CN
    data: {{dir: data/basic}}
"""


@pytest.fixture(params=[0, 600], ids=["tenant allows 0 s", "tenant asks 600 s"])
def basic_min(request: pytest.FixtureRequest) -> int:
    return int(request.param)


@pytest.fixture
def emulator(tmp_path: Path, basic_min: int) -> Iterator[Emulator]:
    """Overrides conftest's emulator (and so `project`): a tenant with its own basic minimum."""
    tenant = Tenant.from_dict({"durations": {"basic_min": basic_min, "basic_max": 900}})
    config = emulator_config(tmp_path / "emulator", tenant=tenant)
    with Emulator(config, host="127.0.0.1", port=0) as emu:
        yield emu


def test_plan_and_apply_use_the_tenants_duration_limits(project: Project, basic_min: int) -> None:
    project.write_config(ONE_BASIC)
    code, _, err = project.run("validate")
    assert code == 1 and "too little for basic (2.0 min to 10.0 min" in err  # documented

    code, out, err = project.run("plan", "--out", "tfplan")
    if basic_min == 0:
        assert code == 0, out + err  # the tenant takes 70 s: plan and apply agree with it
        code, out, err = project.run("apply", "tfplan")
        assert code == 0, out + err
        assert len(project.jobs()) == 1
    else:
        assert code == 1 and "too little for basic (10.0 min to 15.0 min" in err, err
        code, out, err = project.run("apply", "--auto-approve")
        assert code == 1 and "10.0 min to 15.0 min" in err, err
        assert project.jobs() == []


# What a service could send that is no usable limit; the emulator's tenant file refuses these,
# so the tenant is built directly, past its int typing. Each means "no limit known", no crash.
UNUSABLE: dict[str, object] = {
    "basic_min": float("nan"),  # sent as the JSON literal NaN
    "basic_max": 10**400,  # no float holds it
    "basic_advice_value": "300",
    "middle_min": -1,
}


def test_unusable_tenant_limits_fall_back_to_the_documented_range(tmp_path: Path) -> None:
    tenant = Tenant(durations=cast("Mapping[str, int]", MappingProxyType(UNUSABLE)))
    config = emulator_config(tmp_path / "emulator", tenant=tenant)
    with Emulator(config, host="127.0.0.1", port=0) as emulator:
        root = tmp_path / "project"
        write_data(root)
        environ = {"HUAWEICLOUD_SDK_AK": AK, "HUAWEICLOUD_SDK_SK": SK}
        project = Project(root, emulator, environ | {"RECONCILER_CACHE_DIR": str(tmp_path / "c")})
        project.write_config(ONE_BASIC)
        code, out, err = project.run("plan")
    assert code == 1, out + err
    assert "too little for basic (2.0 min to 10.0 min, the documented range)" in err, err
    assert "unexpected" not in (out + err).lower()
