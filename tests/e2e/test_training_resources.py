"""Training resources end to end: the plan counts them, apply refuses to over-commit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.emulator import Emulator, Tenant
from reconciler.operations.planfile import load_plan
from tests.audio_fixtures import SHORT_TAKES
from tests.e2e.conftest import Project
from tests.metastudio.conftest import emulator_config, make_client
from tests.metastudio.helpers import sentence_zip

QUOTAS = {"basic": 1, "middle": 1, "advance": 1, "third_party_cmww": 1}


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[Emulator]:
    """The project's emulator with one resource per edition: two basic voices need two."""
    tenant = Tenant(durations=SHORT_TAKES.durations, quotas={**Tenant().quotas, **QUOTAS})
    config = emulator_config(tmp_path / "emulator", tenant=tenant)
    with Emulator(config, host="127.0.0.1", port=0) as emu:
        yield emu


def test_plan_shows_needs_against_availability_in_every_format(project: Project) -> None:
    code, out, err = project.run("plan", "--out", "tfplan")
    assert code == 0, out + err
    assert "Training resources (a submitted job consumes one" in out
    assert "  needs 2 basic, 1 available: 1 short, apply will refuse" in out
    assert "  needs 1 advanced, 1 available\n" in out
    assert "  needs 1 premium, 1 available\n" in out
    assert "  needs 1 third-party, 1 available\n" in out

    plan = load_plan(project.root / "tfplan")  # the saved plan keeps them
    basic = plan.resources[0]
    assert (basic.edition, basic.quota, basic.needed, basic.available, basic.short) == (
        "basic",
        "basic",
        2,
        1,
        1,
    )
    assert basic.addresses == ("voice.basic-dir", "voice.basic-seg")
    assert [n.quota for n in plan.resources] == ["basic", "middle", "advance", "third_party_cmww"]

    code, out, _ = project.run("plan", "--format", "json")
    document = json.loads(out)
    assert document["training_resources"][0] == {
        "edition": "basic",
        "quota": "basic",
        "needed": 2,
        "available": 1,
        "short": 1,
        "addresses": ["voice.basic-dir", "voice.basic-seg"],
    }
    code, out, _ = project.run("plan", "--format", "markdown")
    assert "> [!CAUTION]" in out
    assert "> - needs 2 basic, 1 available: 1 short, apply will refuse" in out


def test_apply_needing_more_than_available_creates_nothing_and_says_why(
    project: Project,
) -> None:
    code, _, err = project.run("apply", "--auto-approve")
    assert code == 1
    lines = [line for line in err.splitlines() if line.startswith("Error")]
    assert len(lines) == 1, err
    assert "not enough training resources: the plan needs 2 basic, 1 available" in lines[0]
    assert "advanced" not in lines[0]  # only the editions that are short
    assert "unexpected" not in err.lower() and "Traceback" not in err
    assert project.jobs() == []
    assert not project.state_path.exists() or project.state()["voices"] == {}


def test_apply_within_the_resources_consumes_them(project: Project) -> None:
    code, out, err = project.run("apply", "--auto-approve", "--target", "voice.basic-dir")
    assert code == 0, out + err
    assert "needs 1 basic, 1 available" in out
    code, out, _ = project.run("plan", "--target", "voice.basic-seg")
    assert "needs 1 basic, 0 available: 1 short, apply will refuse" in out


def test_saved_plan_is_checked_against_what_is_left_at_apply(project: Project) -> None:
    code, out, _ = project.run("plan", "--out", "tfplan", "--target", "voice.basic-seg")
    assert code == 0 and "needs 1 basic, 1 available" in out
    # Meanwhile someone else submits a basic job, using the last basic resource.
    with make_client(project.emulator.base_url) as client:
        created = client.create_job("BASIC", {"voice_name": "elsewhere", "create_type": "PACKAGE"})
        assert created.uploads.package is not None
        package = sentence_zip(project.root.parent / "elsewhere.zip", 20)
        client.upload(created.uploads.package, package, "package")
        client.submit_job(created.job_id)
    code, out, err = project.run("apply", "tfplan")
    assert code == 1
    assert "needs 1 basic, 0 available" in err, err
    assert [job["voice_name"] for job in project.jobs()] == ["elsewhere"]


def test_plan_without_refresh_cannot_know_and_says_so(project: Project) -> None:
    code, out, err = project.run("plan", "--refresh=false")
    assert code == 0, out + err
    assert "  needs 2 basic, availability unknown (not refreshed)" in out
    assert project.admin("GET", "/stats")["operations"] == {}


def test_a_plan_that_consumes_nothing_does_not_read_the_quotas(project: Project) -> None:
    code, out, err = project.run("apply", "--auto-approve", "--target", "voice.premium")
    assert code == 0, out + err
    project.admin("DELETE", "/stats")
    code, out, _ = project.run("plan", "--target", "voice.premium")
    assert "Training resources" not in out
    assert "show_voice_training_quotas" not in project.admin("GET", "/stats")["operations"]


def test_a_replace_that_cannot_be_submitted_deletes_nothing(project: Project) -> None:
    code, out, err = project.run("apply", "--auto-approve", "--target", "voice.premium")
    assert code == 0, out + err
    (job,) = project.jobs()
    while job["state"] != "SUCCEED":
        job = project.admin("POST", f"/jobs/{job['job_id']}/advance")
    # A trained voice's voice_name now changes in place; --replace asks for a new training.
    replace = ("--target", "voice.premium", "--replace", "voice.premium")
    project.admin("DELETE", "/stats")

    code, out, _ = project.run("plan", *replace)
    assert "voice.premium must be replaced" in out
    assert "  needs 1 premium, 0 available: 1 short, apply will refuse" in out
    # Nothing new was created or unsubmitted: the quotas were read only for the replace.
    assert project.admin("GET", "/stats")["operations"]["show_voice_training_quotas"] == 1

    code, _, err = project.run("apply", "--auto-approve", *replace)
    assert code == 1 and "needs 1 premium, 0 available" in err, err
    assert [j["job_id"] for j in project.jobs()] == [job["job_id"]]  # the old job stays
