"""MetaStudio's training-job types and the path each is created under: plain data, shared by
the configuration (an edition names a job type) and the client (which calls the path)."""

from __future__ import annotations

CREATE_PATHS: dict[str, str] = {
    "BASIC": "basic-jobs",
    "MIDDLE": "middle-jobs",
    "ADVANCE": "advance-jobs",
    "THIRD_PARTY": "third-party-jobs",
}
