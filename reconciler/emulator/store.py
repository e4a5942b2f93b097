"""Everything the emulator remembers, in memory and under ``data_dir``.

Jobs are split over a fixed number of shard files so that one mutation rewrites a small file
however many jobs exist, while seeding ten thousand jobs still costs one write per shard.
Callers hold the core lock; the store itself does no locking.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from reconciler.emulator import atomic
from reconciler.emulator.model import Job
from reconciler.emulator.short_jobs import ShortJob

SHARDS = 16
FORMAT_VERSION = 1


def _shard(job_id: str) -> int:
    return zlib.crc32(job_id.encode("utf-8")) % SHARDS


class Store:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.objects_dir = root / "objects"
        self.tts_dir = root / "tts-audio"
        self.tmp_dir = root / "tmp"
        self._jobs_dir = root / "jobs"
        for directory in (root, self.objects_dir, self.tts_dir, self.tmp_dir, self._jobs_dir):
            directory.mkdir(parents=True, exist_ok=True)
        # Upload temp files left by a crash are garbage: their uploads never completed.
        for leftover in self.tmp_dir.iterdir():
            leftover.unlink(missing_ok=True)
        self.jobs: dict[str, Job] = {}
        self.generation = 0  # bumped by every job write: lets listings cache their sort
        self._members: list[set[str]] = [set() for _ in range(SHARDS)]
        self.assets: dict[str, dict[str, Any]] = self._load_map("assets.json")
        self.tts: dict[str, dict[str, Any]] = self._load_map("tts.json")
        # Training resources consumed, per project and edition (see resources.py).
        self.consumed: dict[str, dict[str, Any]] = self._load_map("resources.json")
        # Short jobs (op 18): few and small, so one file holds them all.
        self.short_jobs = {
            job_id: ShortJob.from_record(record)
            for job_id, record in self._load_map("short-jobs.json").items()
        }
        self.url_secret = self._load_secret()
        self._load_jobs()

    def _load_map(self, name: str) -> dict[str, dict[str, Any]]:
        path = self.root / name
        if not path.exists():
            return {}
        data: dict[str, dict[str, Any]] = atomic.read_json(path)["items"]
        return data

    def _load_secret(self) -> bytes:
        path = self.root / "url-secret"
        if not path.exists():
            atomic.write_bytes(path, secrets.token_hex(32).encode(), mode=0o600)
        return path.read_bytes().strip()

    def _load_jobs(self) -> None:
        for path in sorted(self._jobs_dir.glob("shard-*.json")):
            for record in atomic.read_json(path)["jobs"]:
                job = Job.from_record(record)
                self.jobs[job.job_id] = job
                self._members[_shard(job.job_id)].add(job.job_id)

    def add_jobs(self, jobs: Iterable[Job]) -> None:
        touched = set()
        for job in jobs:
            self.jobs[job.job_id] = job
            shard = _shard(job.job_id)
            self._members[shard].add(job.job_id)
            touched.add(shard)
        self._write_shards(touched)

    def save_jobs(self, job_ids: Iterable[str]) -> None:
        self._write_shards({_shard(job_id) for job_id in job_ids})

    def remove_job(self, job_id: str) -> None:
        self.jobs.pop(job_id, None)
        shard = _shard(job_id)
        self._members[shard].discard(job_id)
        self._write_shards({shard})
        shutil.rmtree(self.job_objects_dir(job_id), ignore_errors=True)

    def _write_shards(self, shards: Iterable[int]) -> None:
        self.generation += 1
        for shard in sorted(shards):
            records = [self.jobs[job_id].to_record() for job_id in sorted(self._members[shard])]
            path = self._jobs_dir / f"shard-{shard:02d}.json"
            atomic.write_json(path, {"format_version": FORMAT_VERSION, "jobs": records})

    def save_assets(self) -> None:
        atomic.write_json(self.root / "assets.json", {"items": self.assets})

    def save_consumed(self) -> None:
        atomic.write_json(self.root / "resources.json", {"items": self.consumed})

    def save_short_jobs(self) -> None:
        items = {job_id: job.to_record() for job_id, job in self.short_jobs.items()}
        atomic.write_json(self.root / "short-jobs.json", {"items": items})

    def save_tts(self) -> None:
        atomic.write_json(self.root / "tts.json", {"items": self.tts})

    def job_objects_dir(self, job_id: str) -> Path:
        return self.objects_dir / job_id

    def object_path(self, job_id: str, key: str) -> Path:
        return self.job_objects_dir(job_id) / key

    def temp_upload(self) -> tuple[int, Path]:
        fd, name = tempfile.mkstemp(prefix="upload-", dir=self.tmp_dir)
        return fd, Path(name)
