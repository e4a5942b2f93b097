"""destroy end to end: every recorded job deleted, guarded voices refused, nothing half done."""

from __future__ import annotations

from tests.e2e.conftest import PREMIUM_AND_THIRD, Project


def config(premium: bool | None = None, third: bool | None = None) -> str:
    """PREMIUM_AND_THIRD with lifecycle.prevent_destroy set on the voices given a value."""
    text = PREMIUM_AND_THIRD
    for voice_name, guard in (("Premium", premium), ("Third", third)):
        if guard is not None:
            line = f"voice_name: {voice_name}\n"
            lifecycle = f"    lifecycle:\n      prevent_destroy: {str(guard).lower()}\n"
            text = text.replace(line, line + lifecycle)
    return text


def applied(project: Project, premium: bool | None = None, third: bool | None = None) -> None:
    project.write_config(config(premium, third))
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0, out + err
    assert len(project.jobs()) == 2


def test_destroy_deletes_every_job_and_empties_the_state(project: Project) -> None:
    applied(project)
    code, out, err = project.run("destroy", "--auto-approve")
    assert code == 0, out + err
    assert "reconciler will destroy the following voices:" in out
    assert "Destroy complete: 2 destroyed." in out
    assert project.jobs() == []
    assert project.state()["voices"] == {}

    code, out, _ = project.run("destroy", "--auto-approve")  # nothing left: a no-op
    assert code == 0 and "No voices need to be destroyed." in out


def test_destroy_target_deletes_only_that_voice(project: Project) -> None:
    applied(project)
    code, out, err = project.run("destroy", "--auto-approve", "--target", "voice.third")
    assert code == 0, out + err
    assert "Destroy complete: 1 destroyed." in out
    assert [j["voice_name"] for j in project.jobs()] == ["Premium"]
    assert list(project.state()["voices"]) == ["premium"]


def test_destroy_asks_and_refuses_without_a_terminal(project: Project) -> None:
    applied(project)
    code, out, err = project.run("destroy", stdin="yes\n")
    assert code == 1 and "Do you want to destroy" not in out
    assert "refusing to destroy without confirmation" in err and "--auto-approve" in err
    assert len(project.jobs()) == 2 and len(project.state()["voices"]) == 2


def test_prevent_destroy_in_the_yaml_and_in_the_state(project: Project) -> None:
    applied(project, premium=True, third=True)
    code, out, err = project.run("destroy", "--auto-approve")
    assert code == 1, out
    problems = err.strip().splitlines()
    assert len(problems) == 2, err  # one line per guarded voice
    assert problems[0].startswith("Error: voice.premium: lifecycle.prevent_destroy forbids")
    assert problems[1].startswith("voice.third: lifecycle.prevent_destroy forbids")
    assert len(project.jobs()) == 2 and len(project.state()["voices"]) == 2

    # The guard is recorded in the state: deleting it from the YAML alone does not lift it.
    project.write_config(config())
    code, _, err = project.run("destroy", "--auto-approve")
    assert code == 1 and "voice.premium: lifecycle.prevent_destroy forbids" in err
    assert "apply first" in err
    assert len(project.jobs()) == 2

    # Lifted on purpose and applied: now destroy goes ahead.
    applied(project, premium=False, third=False)
    code, out, err = project.run("destroy", "--auto-approve")
    assert code == 0, out + err
    assert project.jobs() == [] and project.state()["voices"] == {}


def test_prevent_destroy_added_to_the_yaml_but_not_applied_yet(project: Project) -> None:
    applied(project)
    project.write_config(config(premium=True))
    code, _, err = project.run("destroy", "--auto-approve")
    assert code == 1
    assert err.startswith("Error: voice.premium: lifecycle.prevent_destroy forbids destroying it")
    assert "voice.third" not in err
    assert len(project.jobs()) == 2

    code, out, err = project.run("destroy", "--auto-approve", "--target", "voice.third")
    assert code == 0, out + err  # the guard covers its own voice only
    assert [j["voice_name"] for j in project.jobs()] == ["Premium"]


def test_destroy_does_not_take_a_saved_plan(project: Project) -> None:
    project.write_config(config())
    assert project.run("plan", "--out", "tfplan")[0] == 0
    code, _, err = project.run("destroy", "tfplan", "--auto-approve")
    assert code == 1 and "reconciler apply tfplan" in err
    assert project.jobs() == []


def test_destroy_offers_no_replace_or_destroy_flags(project: Project) -> None:
    for flag in ("--replace", "--destroy"):
        code, _, err = project.run("destroy", flag, "voice.premium")
        assert code == 1 and "unrecognized arguments" in err, err
