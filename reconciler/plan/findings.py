"""What the training-data preflight found, carried by the plan so that every rendering a
reviewer reads (the text, the pull-request comment, the plan JSON, a saved plan shown again)
says it, not only the terminal's stderr.

Plain data: the preflight's diagnostics are turned into findings where the plan is made
(the command knows the working directory the file names are shown relative to).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from reconciler.addresses import address_of

Severity = Literal["error", "warning"]
_VOICES = "voices."


def voice_of(path: str) -> str | None:
    """The voice a problem at the YAML field ``path`` is about (voice keys hold no dots)."""
    if not path.startswith(_VOICES):
        return None
    return path[len(_VOICES) :].split(".", 1)[0] or None


@dataclass(frozen=True)
class Finding:
    severity: Severity
    file: str  # as shown to the user: relative to the directory the plan was made in
    line: int | None
    column: int | None
    path: str  # the YAML field, e.g. voices.news.data.dir
    message: str

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    @property
    def voice(self) -> str | None:
        return voice_of(self.path)

    @property
    def address(self) -> str | None:
        voice = self.voice
        return None if voice is None else address_of(voice)

    @property
    def where(self) -> str:
        """``file:line:column``, as the terminal shows it."""
        if self.line is None:
            return self.file
        return f"{self.file}:{self.line}:{self.column or 1}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "address": self.address,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "path": self.path,
            "message": self.message,
        }


def by_voice(findings: Iterable[Finding]) -> dict[str | None, list[Finding]]:
    """Grouped by voice name (None: not one voice's), voices in name order, findings in the
    order they were found."""
    groups: dict[str | None, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.voice, []).append(finding)
    return dict(sorted(groups.items(), key=lambda item: (item[0] is None, item[0] or "")))
