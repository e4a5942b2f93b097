"""The generated project the plan and apply benchmarks run on: N premium voices sharing one
small package, a state recording each as submitted and trained, and the SUCCEED jobs to seed
into the emulator, so that a plan of it comes out as "No changes"."""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.common import AK, PROJECT, SK, child_env, scratch_dir, wait_until_settled
from bench.emulator_process import EmulatorProcess

if TYPE_CHECKING:
    from reconciler.state import VoiceRecord

T0 = "2026-11-01T00:00:00Z"
# The loader refuses a file of over 200,000 values (its guard against alias bombs): about
# 40,000 of these voices. Files of 10,000 keep well under it at any catalogue size.
VOICES_PER_FILE = 10_000
LIMITS = {"default": "", "off": "  rate_limits: {create: 0, upload_url: 0, query: 0}\n"}


def project_env(root: Path) -> dict[str, str]:
    """The environment reconciler runs in on the project at ``root``: the emulator's
    throwaway identity and the project's own digest and config cache."""
    return child_env(
        {
            "HUAWEICLOUD_SDK_AK": AK,
            "HUAWEICLOUD_SDK_SK": SK,
            "RECONCILER_CACHE_DIR": str(root / ".cache"),
            "NO_COLOR": "1",
        }
    )


def write_config(
    root: Path,
    n: int,
    endpoint: str,
    limits: str,
    package: Callable[[int], str] = lambda i: "data/long.zip",
) -> None:
    """voices.yaml with the provider, and the voices in files of ``VOICES_PER_FILE``;
    ``package(i)`` names voice i's training data."""
    head = (
        f"version: 1\nprovider:\n  endpoint: {endpoint}\n  project_id: {PROJECT}\n{limits}"
        "defaults:\n  sex: FEMALE\n  language: CN\n"
        # The shared 3 s take stands in for an hour: what is measured is planning, not data.
        "  checks: {min_total_seconds: 1, advised_total_seconds: 1}\n"
    )
    (root / "voices.yaml").write_text(head, encoding="utf-8")
    for start in range(0, n, VOICES_PER_FILE):
        voices = "".join(
            f"  v{i:06d}:\n    edition: premium\n    voice_name: Voice {i}\n"
            f"    data: {{package: {package(i)}}}\n"
            for i in range(start, min(n, start + VOICES_PER_FILE))
        )
        name = f"voices-{start // VOICES_PER_FILE:03d}.yaml"
        (root / name).write_text(f"version: 1\nvoices:\n{voices}", encoding="utf-8")


def write_project(root: Path, n: int, endpoint: str) -> list[dict[str, Any]]:
    """Config, data and state for ``n`` trained voices; returns the jobs to seed."""
    from reconciler.config.check import load_config
    from reconciler.data import DigestCache
    from reconciler.operations.desired import desired_voices
    from reconciler.speechlike import write_steady_package
    from reconciler.state import LocalStateBackend, State

    write_steady_package(root / "data" / "long.zip", count=None, seconds=3.0)
    wait_until_settled([root / "data" / "long.zip"])  # so the warm-up below is kept
    write_config(root, n, endpoint, LIMITS["default"])
    config = load_config(root, cwd=root)
    lineage = str(uuid.uuid4())
    # The digests the plan will compute, so the state matches it exactly (and the cache is warm).
    desired = desired_voices(config, DigestCache(root / ".cache"), lineage)
    records, jobs = {}, []
    for name, voice in desired.items():
        job_id = f"job-{name}"
        records[name] = trained_record(name, voice.spec, job_id)
        jobs.append(succeeded_job(job_id, voice.spec["voice_name"]))
    LocalStateBackend(config.state_path).write(State(lineage=lineage, voices=records))
    return jobs


def trained_record(name: str, want: Mapping[str, Any], job_id: str, **more: Any) -> VoiceRecord:
    """The state's record of a premium voice submitted and trained (SUCCEED) as the desired
    spec ``want`` says; ``more`` sets other fields, such as asset_id."""
    from reconciler.plan.inputs import record_spec
    from reconciler.state import VoiceRecord

    return VoiceRecord(
        name=name,
        edition="premium",
        job_type="ADVANCE",
        phase="submitted",
        created_at=T0,
        updated_at=T0,
        job_id=job_id,
        spec=record_spec(want),
        data_digest=want["data_digest"],
        remote_state="SUCCEED",
        **more,
    )


def succeeded_job(job_id: str, voice_name: str) -> dict[str, Any]:
    """The emulator seed of that voice's job (admin ``POST /jobs``)."""
    return {
        "job_id": job_id,
        "job_type": "ADVANCE",
        "create_type": "PACKAGE",
        "state": "SUCCEED",
        "voice_name": voice_name,
        "sex": "FEMALE",
        "language": "CN",
    }


@dataclass(frozen=True)
class Seeded:
    root: Path
    emulator: EmulatorProcess
    job_ids: list[str]
    generate_seconds: float  # writing the project and seeding its jobs


@contextlib.contextmanager
def seeded_project(label: str, n: int) -> Iterator[Seeded]:
    """A scratch folder with the ``n``-voice project and an emulator process holding its
    jobs; both go away afterwards."""
    with scratch_dir(label) as scratch:
        root = scratch / "project"
        root.mkdir()
        with EmulatorProcess(scratch / "emulator") as emulator:
            started = time.perf_counter()
            jobs = write_project(root, n, emulator.base_url)
            emulator.admin("POST", "/jobs", jobs)
            job_ids = [str(job["job_id"]) for job in jobs]
            yield Seeded(root, emulator, job_ids, time.perf_counter() - started)
