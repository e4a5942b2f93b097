"""What the name-clash check costs in a large asset library, counted at the emulator.

The service's ``name`` filter is fuzzy (the emulator matches substrings, as the docs allow):
looking up a short voice_name pages through every asset whose name contains it. The check
must cost at most its probe, one first page per name, and then whichever is cheaper of the
names' further pages and the whole library's; never one full listing per name.
"""

from __future__ import annotations

import math

import pytest

from bench.project import succeeded_job, trained_record
from reconciler.operations.planfile import load_plan
from reconciler.state import LocalStateBackend, State
from tests.e2e.conftest import Project, config_head

FIRST = 6  # voice_names "6" .. "2005": "1" .. "5" are free, and part of hundreds of names
ASSETS = 2_000
CHANGED = 5
PAGES = math.ceil(ASSETS / 100)
# The probe (the library's first page), one first page per name, then the cheaper of the rest.
MOST = 1 + CHANGED + (PAGES - 1)


def voice(key: str, voice_name: str) -> str:
    return (
        f"  {key}:\n    edition: premium\n    voice_name: '{voice_name}'\n"
        "    data: {{package: data/long.zip}}\n"
    )


def write_catalogue(project: Project, extra: str = "") -> None:
    voices = "".join(voice(f"v{i:04d}", str(i)) for i in range(FIRST, FIRST + ASSETS))
    head = config_head(sex_and_language=False, unlimited_rates=True)
    project.write_config(head + voices + extra)


def trained_catalogue(project: Project) -> None:
    """``ASSETS`` voices recorded as trained, each job's model a live asset of its name."""
    write_catalogue(project)
    assert project.run("plan", "--refresh=false", "--out", "seed.plan")[0] == 0
    plan = load_plan(project.root / "seed.plan")
    state = State(lineage=plan.state_lineage)
    jobs = []
    for change in plan.changes:
        assert change.after is not None
        job_id = f"job-{change.name}"
        state = state.with_voice(trained_record(change.name, change.after, job_id))
        jobs.append(succeeded_job(job_id, change.after["voice_name"]))
    LocalStateBackend(project.state_path).write(state)
    project.admin("POST", "/jobs", jobs)


def list_calls(project: Project) -> int:
    calls = int(project.admin("GET", "/stats")["operations"].get("list_assets", 0))
    project.admin("DELETE", "/stats")
    return calls


def plan_and_apply(project: Project, *argv: str) -> tuple[int, int, str]:
    """list_assets calls of the plan, then of the apply of the saved plan (which plans again
    under the lock), and the apply's output."""
    project.admin("DELETE", "/stats")
    code, out, err = project.run("plan", *argv, "--out", "tfplan")
    assert code == 0, out + err
    planned = list_calls(project)
    code, out, err = project.run("apply", "tfplan")
    assert code == 0, out + err
    return planned, list_calls(project), out


@pytest.mark.parametrize("kind", ["replace", "create"])
def test_name_lookups_cost_follows_the_changed_voices_not_the_library(
    project: Project, kind: str
) -> None:
    trained_catalogue(project)
    if kind == "replace":  # voice_names "6" .. "10": each in 139 to 542 asset names
        keys = [f"v{i:04d}" for i in range(FIRST, FIRST + CHANGED)]
        argv = [arg for key in keys for arg in ("--replace", f"voice.{key}")]
        planned, applied, out = plan_and_apply(project, *argv)
        assert f"0 created, 0 updated, {CHANGED} replaced" in out, out
    else:  # voice_names "1" .. "5": in 542 to 1,271 asset names
        write_catalogue(project, "".join(voice(f"new{i}", str(i)) for i in range(1, 6)))
        planned, applied, out = plan_and_apply(project)
        assert f"{CHANGED} created, 0 updated, 0 replaced" in out, out
    assert planned <= MOST and applied <= MOST, (planned, applied)


def test_specific_names_cost_one_lookup_each(project: Project) -> None:
    """Names no other asset contains: one first page each after the probe, whatever the
    library's size."""
    trained_catalogue(project)
    new = "".join(voice(f"new{i}", f"Brand new voice {i}") for i in range(CHANGED))
    write_catalogue(project, new)
    planned, applied, out = plan_and_apply(project)
    assert f"{CHANGED} created" in out, out
    assert (planned, applied) == (1 + CHANGED, 1 + CHANGED)
