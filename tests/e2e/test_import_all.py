"""import --all end to end: a tenant with jobs trained by hand is adopted without retraining."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from reconciler import speechlike
from reconciler.state import LocalStateBackend, State
from reconciler.state.errors import StateError
from tests.e2e.conftest import ONE_PREMIUM, SECONDS, Project, lock_held

PHONE = "+86 138 0000 0000"
HAND_MADE: list[dict[str, Any]] = [
    {
        "job_id": "gentle",
        "job_type": "BASIC",
        "voice_name": "Gentle Female",
        "sex": "FEMALE",
        "language": "CN",
        "tag": "NEWS",
        "phone": PHONE,
        "description": "Calm and warm.",
        "state": "SUCCEED",
        "create_time": 1000,
    },
    {
        "job_id": "anchor",
        "job_type": "ADVANCE",
        "voice_name": "News Anchor!",
        "sex": "MALE",
        "language": "CN",
        "state": "SUCCEED",
        "create_time": 1001,
    },
    {
        "job_id": "chinese",
        "job_type": "BASIC",
        "create_type": "SEGMENT",
        "voice_name": "温柔女声",
        "state": "SUCCEED",
        "create_time": 1002,
    },
    {
        "job_id": "training",
        "job_type": "BASIC",
        "voice_name": "In Training",
        "state": "PROCESSING",
        "create_time": 1003,
    },
    {"job_id": "broken", "voice_name": "Broken", "state": "FAILED", "create_time": 1004},
    {"job_id": "clash", "voice_name": "Premium", "job_type": "ADVANCE", "state": "SUCCEED"},
    {"job_id": "older", "voice_name": "Twice", "state": "SUCCEED", "create_time": 1005},
    {"job_id": "newer", "voice_name": "Twice", "state": "FAILED", "create_time": 1006},
]


def tenant(project: Project) -> None:
    """voice.premium applied by reconciler, and jobs made by hand beside it."""
    project.write_config(ONE_PREMIUM)
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0, out + err
    project.admin("POST", "/jobs", HAND_MADE)


def fill(project: Project, document: dict[str, Any]) -> None:
    """What the user does after import --all: put the training data at the placeholders."""
    for voice in document["voices"].values():
        ((_, folder),) = voice["data"].items()
        if voice["edition"] == "basic":
            speechlike.write_sentence_pairs(project.root / folder, 20, SECONDS)
        else:
            speechlike.write_long_recording(project.root / folder / "take.wav", 1, 3.0)


def imported(project: Project, *args: str) -> tuple[str, dict[str, Any]]:
    code, out, err = project.run("import", "--all", *args)
    assert code == 0, out + err
    return out, yaml.safe_load((project.root / "imported.yaml").read_text(encoding="utf-8"))


def test_import_all_adopts_hand_made_jobs_and_the_next_plan_trains_nothing(
    project: Project,
) -> None:
    tenant(project)
    jobs_before = len(project.jobs())
    out, document = imported(project)
    voices = document["voices"]
    chinese = next(k for k in voices if k.startswith("voice-"))
    assert sorted(voices) == sorted(
        ["gentle-female", "news-anchor", "in-training", "twice", chinese]
    )
    assert voices["gentle-female"] == {
        "edition": "basic",
        "voice_name": "Gentle Female",
        "sex": "FEMALE",
        "language": "CN",
        "tag": "NEWS",
        "description": "Calm and warm.",  # from its asset: the job does not tell it
        "data": {"dir": "imported-data/gentle-female"},
        "lifecycle": {"prevent_destroy": True},
    }
    assert voices["news-anchor"]["edition"] == "premium"
    assert voices[chinese]["data"] == {"segments": f"imported-data/{chinese}"}
    # Personal data: the job's phone (if MetaStudio echoes it) is written nowhere.
    written = [
        out,
        (project.root / "imported.yaml").read_text("utf-8"),
        project.state_path.read_text(),
    ]
    assert not any(p in t for t in written for p in (PHONE, "138 0000 0000", "13800000000"))

    assert "Skipped job broken 'Broken' (FAILED)" in out
    assert "Skipped job clash 'Premium' (SUCCEED): voice.premium in the state records" in out
    assert "Skipped job newer 'Twice' (FAILED)" in out
    assert "Skipped job older" not in out  # a trained job wins over a failed one of its name
    assert "imported-data/gentle-female" in out and "placeholder" in out

    state = project.state()["voices"]
    assert state["gentle-female"]["job_id"] == "gentle"
    assert state["gentle-female"]["phase"] == "submitted"
    assert state["gentle-female"]["data_digest"] is None
    assert state["twice"]["job_id"] == "older"

    fill(project, document)
    code, out, err = project.run("plan", "--detailed-exitcode")
    assert code == 0, out + err
    assert "No changes." in out
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0, out + err
    assert len(project.jobs()) == jobs_before  # nothing created, nothing deleted
    # The first apply took the data found at the placeholders as each job's.
    assert project.state()["voices"]["gentle-female"]["data_digest"].startswith("sha256:")
    assert project.run("plan", "--detailed-exitcode")[0] == 0


def test_running_it_again_imports_nothing_new_and_never_overwrites(project: Project) -> None:
    tenant(project)
    imported(project)
    state = project.state_path.read_bytes()
    code, out, err = project.run("import", "--all")
    assert code == 1 and "imported.yaml already exists" in err and "never overwrites" in err
    project.admin("DELETE", "/stats")
    code, out, err = project.run("import", "--all", "--out", "again.yaml")
    assert code == 0, out + err
    assert "Nothing to import" in out
    # One listing page for the tenant's few jobs, and no call per job.
    assert project.admin("GET", "/stats")["operations"] == {"list_jobs": 1}
    assert not (project.root / "again.yaml").exists()
    assert project.state_path.read_bytes() == state


def test_a_failed_state_write_leaves_no_yaml(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant(project)
    state = project.state_path.read_bytes()

    def refuse(self: LocalStateBackend, new: State) -> State:
        raise StateError("disk full")

    monkeypatch.setattr(LocalStateBackend, "write", refuse)
    code, out, err = project.run("import", "--all")
    assert code == 1 and "disk full" in err, out + err
    assert not (project.root / "imported.yaml").exists()
    assert project.state_path.read_bytes() == state


def test_import_all_with_a_single_file_config_says_where_the_voices_go(project: Project) -> None:
    project.write_config(ONE_PREMIUM)
    project.admin("POST", "/jobs", [HAND_MADE[0]])
    code, out, err = project.run("import", "--all", "voices.yaml")
    assert code == 0, out + err
    assert "imported.yaml is not read with the configuration" in out
    assert (project.root / "imported.yaml").exists()


def test_a_job_the_configuration_could_not_declare_is_skipped(project: Project) -> None:
    project.write_config(ONE_PREMIUM)
    odd = {"job_id": "odd", "voice_name": "Odd", "language": "JP", "state": "SUCCEED"}
    project.admin("POST", "/jobs", [odd, HAND_MADE[0]])
    out, document = imported(project)
    assert "Skipped job odd 'Odd' (SUCCEED): the configuration cannot declare it: " in out
    assert "must be one of" in out or "is not one of" in out, out
    assert list(document["voices"]) == ["gentle-female"]
    assert "odd" not in project.state()["voices"]


def test_it_is_refused_while_another_run_holds_the_state_lock(project: Project) -> None:
    tenant(project)
    state = project.state_path.read_bytes()
    with lock_held(project.state_path):
        code, out, err = project.run("import", "--all")
    assert code == 1 and "locked" in err, out + err
    assert not (project.root / "imported.yaml").exists()
    assert project.state_path.read_bytes() == state
