"""Where a plan comment comes from: the commit planned and the CI run that planned it, so a
reviewer can tell a stale comment from the latest and open the full log.

Read from GitHub Actions' default variables when they are set; nothing when they are not
(a laptop). Values that do not look like GitHub's are left out rather than linked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

_SHA = re.compile(r"[0-9a-f]{7,64}")
_REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")
_SERVER = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]+)?")
_RUN_ID = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class Provenance:
    commit: str | None = None
    run_url: str | None = None
    run_id: str | None = None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Provenance:
        sha = environ.get("GITHUB_SHA", "").strip().lower()
        server = environ.get("GITHUB_SERVER_URL", "").strip().rstrip("/")
        repository = environ.get("GITHUB_REPOSITORY", "").strip()
        run_id = environ.get("GITHUB_RUN_ID", "").strip()
        linked = (
            _SERVER.fullmatch(server) and _REPOSITORY.fullmatch(repository)
        ) and _RUN_ID.fullmatch(run_id)
        return cls(
            commit=sha if _SHA.fullmatch(sha) else None,
            run_url=f"{server}/{repository}/actions/runs/{run_id}" if linked else None,
            run_id=run_id if linked else None,
        )

    def markdown(self) -> str:
        """``Planned at commit SHA by [run N](URL).``, as much of it as is known ('' none)."""
        parts = []
        if self.commit:
            parts.append(f"at commit {self.commit}")
        if self.run_url:
            parts.append(f"by [run {self.run_id}]({self.run_url})")
        return f"Planned {' '.join(parts)}." if parts else ""
