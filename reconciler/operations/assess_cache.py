"""The service's assessments kept under .reconciler/assess/, one file per data digest.

A record is written as soon as its short job exists, so a run killed while waiting picks
that job up again instead of starting another; it gains the verdict once the job settles.
It holds what the service said (job id, state, failure, ``assess_result``) and which
recordings the sample was cut from: never an upload URL, a credential or a signature.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reconciler.data.sample import Piece, Sample
from reconciler.fsutil import atomic_write, ensure_dir, file_errors

FORMAT = 1
COMMITTED = "committed"  # the job was committed: showing it is enough to learn its verdict


@dataclass(frozen=True)
class Record:
    data_digest: str
    language: str | None
    job_id: str
    sample: Sample
    state: str  # "created", COMMITTED, or the job's settled state (SUCCEED, FAILED, ...)
    failure: str | None = None
    assess_result: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def settled(self) -> bool:
        return self.state not in ("created", COMMITTED)

    def to_json(self) -> bytes:
        body = {
            "format": FORMAT,
            "data_digest": self.data_digest,
            "language": self.language,
            "job_id": self.job_id,
            "state": self.state,
            "failure": self.failure,
            "assess_result": self.assess_result,
            "sample": {
                "low": self.sample.low,
                "high": self.sample.high,
                "pieces": [
                    {"source": p.source, "seconds": p.seconds, "whole": p.whole}
                    for p in self.sample.pieces
                ],
            },
        }
        return (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode()


def cache_dir(root_dir: Path) -> Path:
    return root_dir / ".reconciler" / "assess"


def record_path(root_dir: Path, data_digest: str, language: str | None) -> Path:
    key = hashlib.sha256(f"{data_digest}\0{language or ''}".encode()).hexdigest()
    return cache_dir(root_dir) / f"{key}.json"


def read_record(path: Path) -> Record | None:
    """The record, or None when absent, unreadable or foreign (a new job is then made)."""
    try:
        data = json.loads(path.read_text("utf-8"))
        if data["format"] != FORMAT:
            return None
        sample = data["sample"]
        pieces = tuple(
            Piece(str(p["source"]), float(p["seconds"]), bool(p["whole"])) for p in sample["pieces"]
        )
        result = data["assess_result"]
        return Record(
            data_digest=str(data["data_digest"]),
            language=None if data["language"] is None else str(data["language"]),
            job_id=str(data["job_id"]),
            sample=Sample(pieces, float(sample["low"]), float(sample["high"])),
            state=str(data["state"]),
            failure=None if data["failure"] is None else str(data["failure"]),
            assess_result=result if isinstance(result, dict) else None,
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_record(path: Path, record: Record) -> None:
    ensure_dir(path.parent)
    with file_errors("write the assessment cache", path):
        atomic_write(path, record.to_json(), 0o644)
