"""A plan's listing begins while the voices load (config/head.py, operations/head_start.py).

Proved through real seams: the configuration loader is wrapped so that it cannot finish
before the emulator has answered list calls; the old order (load, then lock and list) would
never get there. Call counts are the emulator's, compared with a one-file configuration,
which has no cheap head and plans in the old order.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from reconciler.config.head import head_config
from reconciler.operations import workspace as workspace_module
from reconciler.state import LocalStateBackend
from reconciler.state.codec import WORK
from tests.e2e.conftest import Project, lock_held
from tests.e2e.test_plan_scale import many_voices

VOICES = 250  # three pages: the first, and two listed in the background


def split(project: Project) -> None:
    """The one-file catalogue as a head (provider, defaults) and a file of voices."""
    text = (project.root / "voices.yaml").read_text("utf-8")
    head, voices = text.split("voices:\n", 1)
    (project.root / "voices.yaml").write_text(head, "utf-8")
    (project.root / "voices-a.yaml").write_text(f"version: 1\nvoices:\n{voices}", "utf-8")


def join_one_file(project: Project) -> None:
    head = (project.root / "voices.yaml").read_text("utf-8")
    voices = (project.root / "voices-a.yaml").read_text("utf-8").split("voices:\n", 1)[1]
    (project.root / "voices-a.yaml").unlink()
    (project.root / "voices.yaml").write_text(f"{head}voices:\n{voices}", "utf-8")


def calls(project: Project) -> dict[str, int]:
    operations: dict[str, int] = project.admin("GET", "/stats")["operations"]
    return operations


def wait_for_lists(project: Project, count: int) -> None:
    """Until the emulator has answered ``count`` list calls; the bound only turns a hang
    (the listing not running concurrently) into a failure."""
    deadline = time.monotonic() + 60
    while calls(project).get("list_jobs", 0) < count:
        assert time.monotonic() < deadline, f"no {count} list calls while the config loaded"
        time.sleep(0.01)


@pytest.fixture
def loading(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Callable[[], None]]]:
    """Steps run inside the configuration load, before it reads any file."""
    steps: list[Callable[[], None]] = []
    real = workspace_module.__dict__["load_config"]  # not a public name of the module

    def load_config(*args: Any, **kwargs: Any) -> Any:
        for step in steps:
            step()
        return real(*args, **kwargs)

    monkeypatch.setattr(workspace_module, "load_config", load_config)
    yield steps


def no_threads_left() -> bool:
    names = {t.name.split("_")[0] for t in threading.enumerate()}
    return not names & {"head-start", "listing", "refresh"}


def located(err: str) -> bool:
    """The config error, alone on one line, at the voice's edition."""
    return err.count("\n") == 1 and "voices-a.yaml:4:14: voices.v0000.edition:" in err


def without_request_id(err: str) -> str:
    return re.sub(r"request id [0-9a-f]+", "request id ...", err)


def lock_is_free(project: Project) -> bool:
    with LocalStateBackend(project.state_path).lock("test", 0):
        return True


def test_the_listing_runs_while_the_config_loads(
    project: Project, loading: list[Callable[[], None]]
) -> None:
    many_voices(project, VOICES)
    split(project)
    assert head_config(project.root) is not None
    decoded_before = WORK.decoded
    loading.append(lambda: wait_for_lists(project, 3))  # every page, before any voice is read
    code, out, err = project.run("plan", "--detailed-exitcode")
    assert (code, "No changes." in out) == (0, True), out + err
    assert calls(project)["list_jobs"] == 3
    # The head start and the plan share the decoding: each record once.
    assert WORK.decoded - decoded_before == VOICES
    assert no_threads_left() and lock_is_free(project)


def test_the_calls_are_those_of_the_old_order(project: Project) -> None:
    many_voices(project, VOICES)
    assert project.run("plan", "--detailed-exitcode")[0] == 0
    one_file = calls(project)
    project.admin("DELETE", "/stats")
    split(project)
    assert project.run("plan", "--detailed-exitcode")[0] == 0
    assert calls(project) == one_file
    assert one_file["list_jobs"] == 3


@pytest.mark.parametrize("targets", [["--target", "voice.v0007"], ["--exclude", "voice.v00*"]])
def test_targets_and_exclusions_cost_what_they_did(project: Project, targets: list[str]) -> None:
    many_voices(project, VOICES)
    assert project.run("plan", "--detailed-exitcode", *targets)[0] == 0
    one_file = calls(project)
    project.admin("DELETE", "/stats")
    split(project)
    code, out, err = project.run("plan", "--detailed-exitcode", *targets)
    assert (code, "No changes." in out) == (0, True), out + err
    assert calls(project) == one_file


def test_a_config_error_stops_the_listing_and_frees_the_lock(
    project: Project, loading: list[Callable[[], None]]
) -> None:
    many_voices(project, VOICES)
    split(project)
    voices = project.root / "voices-a.yaml"
    voices.write_text(voices.read_text("utf-8").replace("premium", "platinum", 1), "utf-8")
    loading.append(lambda: wait_for_lists(project, 1))  # the listing has begun
    code, out, err = project.run("plan")
    assert code == 1 and out == ""
    assert located(err), err
    assert no_threads_left() and lock_is_free(project)


def test_a_config_error_comes_before_a_remote_one(project: Project) -> None:
    """The wrong secret key fails the first page, in the background: what the user sees
    is the config's error, as when the config was loaded first."""
    many_voices(project, VOICES)
    split(project)
    project.environ["HUAWEICLOUD_SDK_SK"] = "not-the-secret"
    code, _, remote = project.run("plan")
    assert code == 1 and "Traceback" not in remote
    voices = project.root / "voices-a.yaml"
    voices.write_text(voices.read_text("utf-8").replace("premium", "platinum", 1), "utf-8")
    code, _, err = project.run("plan")
    assert code == 1 and located(err), err
    assert no_threads_left() and lock_is_free(project)
    # And the remote error itself reads as in the old order.
    voices.write_text(voices.read_text("utf-8").replace("platinum", "premium", 1), "utf-8")
    join_one_file(project)
    code, out, old_order = project.run("plan")
    assert (code, out, without_request_id(old_order)) == (1, "", without_request_id(remote))


def test_a_busy_lock_is_waited_for_after_the_config(project: Project) -> None:
    many_voices(project, VOICES)
    split(project)
    with lock_held(project.state_path) as lock_id:
        code, _, err = project.run("plan")
        assert code == 1 and "locked" in err and lock_id in err
        voices = project.root / "voices-a.yaml"
        voices.write_text(voices.read_text("utf-8").replace("premium", "platinum", 1), "utf-8")
        code, _, err = project.run("plan")
        assert code == 1 and located(err), err
    assert calls(project) == {}
    assert no_threads_left()


def test_without_refresh_nothing_is_asked(project: Project) -> None:
    many_voices(project, VOICES)
    split(project)
    with lock_held(project.state_path):
        code, out, err = project.run("plan", "--refresh=false", "--detailed-exitcode")
    assert (code, "No changes." in out) == (0, True), out + err
    assert calls(project) == {}


def test_a_head_changed_during_the_load_is_given_up(
    project: Project, loading: list[Callable[[], None]]
) -> None:
    """The whole config is the authority: a provider that differs from the head read
    first (here, rewritten meanwhile) drops what began and plans in the old order."""
    many_voices(project, VOICES)
    split(project)
    head = project.root / "voices.yaml"

    def edit() -> None:
        wait_for_lists(project, 1)
        head.write_text(
            head.read_text("utf-8").replace("provider:\n", "provider:\n  app_user_id: u1\n")
        )

    loading.append(edit)
    code, out, err = project.run("plan", "--detailed-exitcode")
    assert (code, "No changes." in out) == (0, True), out + err
    assert no_threads_left() and lock_is_free(project)


def test_the_head_is_read_only_from_head_files(tmp_path: Path) -> None:
    head = "version: 1\nprovider:\n  region: cn-north-4\n  project_id: p\n"
    voice = "version: 1\nvoices:\n  a:\n    edition: basic\n    voice_name: A\n    data: {dir: d}\n"
    (tmp_path / "voices.yaml").write_text(head)
    (tmp_path / "more.yaml").write_text(voice)
    found = head_config(tmp_path)
    assert found is not None and found.provider.region == "cn-north-4"
    assert len(found.voices) == 0
    assert head_config(tmp_path / "voices.yaml") is None  # one file: no cheaper head
    (tmp_path / "voices.yaml").write_text(head + voice.replace("version: 1\n", ""))
    assert head_config(tmp_path) is None  # the head holds voices: not cheaper
    (tmp_path / "voices.yaml").write_text('{"version": 1, "provider": {"region": "x"}}')
    assert head_config(tmp_path) is None  # flow style: not looked into
    (tmp_path / "voices.yaml").write_text(head.replace("cn-north-4", "[nope"))
    assert head_config(tmp_path) is None  # any error: left to the full load to report
