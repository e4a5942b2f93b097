"""Refresh cost and the state lock, measured through the emulator and a second process."""

from __future__ import annotations

import math
import time

import pytest

from bench.project import succeeded_job, trained_record
from reconciler.state import LocalStateBackend, State
from reconciler.state.codec import WORK
from tests.e2e.conftest import Project, config_head, lock_held


def catalogue(project: Project, count: int, *, limits: bool = True) -> None:
    """The config of ``count`` premium voices sharing one data package."""
    lines = []
    for i in range(count):
        lines += [
            f"  v{i:04d}:",
            "    edition: premium",
            f"    voice_name: Voice {i}",
            "    data: {{package: data/long.zip}}",
        ]
    head = config_head(sex_and_language=False, unlimited_rates=not limits)
    project.write_config(head + "\n".join(lines) + "\n")


def many_voices(project: Project, count: int, *, limits: bool = True) -> None:
    """``count`` voices, recorded as submitted and trained, sharing one data package."""
    catalogue(project, count, limits=limits)
    assert project.run("plan", "--refresh=false", "--out", "seed.plan")[0] == 0
    from reconciler.operations.planfile import load_plan

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
    project.admin("DELETE", "/stats")


def test_refresh_pages_the_job_list_instead_of_one_call_per_voice(project: Project) -> None:
    many_voices(project, 250)
    code, out, err = project.run("plan", "--detailed-exitcode")
    assert code == 0, out + err
    assert "No changes." in out
    calls = project.admin("GET", "/stats")["operations"]
    assert calls.get("list_jobs") == math.ceil(250 / 100)
    assert calls.get("show_job", 0) == 0
    assert sum(calls.values()) <= math.ceil(250 / 100) + 2


@pytest.mark.parametrize(
    ("targets", "calls"),
    [
        (["voice.v0007"], {"show_job": 1}),
        (
            ["voice.v0001", "voice.v0012", "voice.v0023", "voice.v0059"],
            {"list_jobs": 1, "show_job": 4},
        ),
        (["voice.v00[0-4]*"], {"list_jobs": 1, "show_job": 50}),
    ],
    ids=["1 voice", "4 voices", "50 voices"],
)
def test_refresh_cost_follows_the_targeted_voices(
    project: Project, targets: list[str], calls: dict[str, int]
) -> None:
    """In a tenant of 5,260 jobs, listing costs 53 calls: its first page tells so, and then
    one show per targeted job is cheaper (a single job is shown without asking)."""
    many_voices(project, 60, limits=False)
    project.admin(
        "POST", "/jobs", [{"state": "SUCCEED", "voice_name": f"Other {i}"} for i in range(5_200)]
    )
    project.admin("DELETE", "/stats")
    argv = [arg for target in targets for arg in ("--target", target)]
    code, out, err = project.run("plan", "--detailed-exitcode", *argv)
    assert (code, "No changes." in out) == (0, True), out + err
    # Besides the refresh, the data check asks once for the tenant's duration limits (op 17).
    assert project.admin("GET", "/stats")["operations"] == {**calls, "show_tenant_duration_cfg": 1}


def test_a_held_lock_names_its_holder(project: Project) -> None:
    with lock_held(project.state_path) as lock_id:
        code, _, err = project.run("plan")
        assert code == 1
        assert "locked" in err and lock_id in err and "apply" in err
        assert f"reconciler force-unlock {lock_id}" in err
        started = time.monotonic()
        assert project.run("plan", "--lock-timeout", "0.5")[0] == 1
        assert time.monotonic() - started >= 0.5
        assert project.run("plan", "--refresh=false")[0] == 0  # reads need no lock
    assert project.run("plan")[0] == 0  # a killed holder does not block the next run


def test_adding_a_voice_to_a_catalogue_decodes_and_encodes_only_its_record(
    project: Project,
) -> None:
    """The apply of a saved plan that adds one voice to 200: the others' records are neither
    decoded from the state file nor encoded into it again (the create's check for a job of
    the same name looks at the state only when MetaStudio lists one)."""
    many_voices(project, 200, limits=False)
    code, out, err = project.run("apply", "--auto-approve")  # records the trained assets
    assert code == 0 and "No changes." in out, out + err
    catalogue(project, 201, limits=False)
    assert project.run("plan", "--out", "tfplan")[0] == 0  # the plan decodes every record
    decoded, encoded = WORK.decoded, WORK.encoded
    code, out, err = project.run("apply", "tfplan")
    assert code == 0 and "1 created" in out, out + err
    assert (WORK.decoded - decoded, WORK.encoded - encoded) == (0, 1)
    assert len(LocalStateBackend(project.state_path).read().voices) == 201
