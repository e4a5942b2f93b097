"""Configs and emulator helpers shared by the status and preview end-to-end tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from tests.e2e.conftest import Project, config_head

HEADER = config_head()
VOICES = {
    "alpha": """\
  alpha:
    edition: basic
    voice_name: Alpha
    data: {{dir: data/basic}}
    preview: {{text: Hello from alpha}}
""",
    "beta": """\
  beta:
    edition: premium
    voice_name: Beta
    data: {{dir: data/premium}}
""",
    "gamma": """\
  gamma:
    edition: basic
    voice_name: Gamma
    data: {{dir: data/basic}}
""",
    "delta": """\
  delta:
    edition: basic
    voice_name: Delta
    data: {{dir: data/basic}}
""",
}


def config(*names: str) -> str:
    return HEADER + "".join(VOICES[name] for name in names)


def apply(project: Project, *names: str) -> dict[str, str]:
    """Apply exactly these voices; returns voice name -> job id."""
    project.write_config(config(*names))
    code, out, err = project.run("apply", "--auto-approve")
    assert code == 0, out + err
    return {name: record["job_id"] for name, record in project.state()["voices"].items()}


def train(project: Project, job_id: str) -> None:
    job = {"state": ""}
    while job["state"] != "SUCCEED":
        job = project.admin("POST", f"/jobs/{job_id}/advance")


def operations(project: Project) -> dict[str, int]:
    return dict(project.admin("GET", "/stats")["operations"])


def between_polls(
    project: Project, steps: list[Callable[[], None]], calls_per_poll: int
) -> threading.Thread:
    """Run each step after the status command has looked again, so every state is seen.

    A request is counted when it arrives, before it is answered: waiting for the count of a
    whole poll means at least the earlier calls of that poll have their answer.
    """

    def looked() -> int:
        counts = operations(project)
        return counts.get("show_job", 0) + counts.get("list_jobs", 0)

    def drive() -> None:
        for step in steps:
            seen = looked()
            deadline = time.monotonic() + 10
            while looked() < seen + calls_per_poll and time.monotonic() < deadline:
                time.sleep(0.005)
            step()

    thread = threading.Thread(target=drive, daemon=True)
    thread.start()
    return thread
