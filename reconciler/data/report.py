"""Findings about data files, grouped into located diagnostics.

A hundred recordings with the same fault make one line naming the first few files, not a
hundred lines; each line still points at the YAML field that names the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reconciler.config.diagnostics import Diagnostic, Location, Severity

SHOWN_FILES = 5


@dataclass(frozen=True)
class Finding:
    severity: Severity
    problem: str
    file: str | None = None
    detail: str | None = None  # per-file fact such as "16.2 s", shown beside the name


@dataclass
class FileRow:
    """One recording as `validate` tables it."""

    name: str
    seconds: float
    sample_format: str  # "48 kHz 16-bit mono"
    speech_seconds: float | None = None
    speech_dbfs: float | None = None
    snr_db: float | None = None
    dnsmos_sig: float | None = None  # DNSMOS P.835, 1 to 5, when the audio extra ran it
    dnsmos_bak: float | None = None
    dnsmos_ovrl: float | None = None
    f0_median: float | None = None  # Hz
    worst: Finding | None = None


@dataclass
class VoiceData:
    """A voice's measured data: its recordings and their total against the edition's range."""

    voice: str
    edition: str
    rows: list[FileRow] = field(default_factory=list)
    total_seconds: float = 0.0
    min_seconds: float | None = None
    max_seconds: float | None = None
    limits_from: str = ""
    not_run: tuple[str, ...] = ()  # model checks this installation lacks

    def mean(self, name: str) -> float | None:
        """A measure averaged over the recordings that have it, weighted by their length."""
        pairs = [(getattr(r, name), r.seconds) for r in self.rows if getattr(r, name) is not None]
        total = sum(seconds for _, seconds in pairs)
        return sum(v * s for v, s in pairs) / total if total else None


class Report:
    def __init__(self, location: Location, path: str) -> None:
        self.location = location
        self.path = path
        self.findings: list[Finding] = []

    def error(self, problem: str, file: str | None = None, detail: str | None = None) -> None:
        self.findings.append(Finding("error", problem, file, detail))

    def warning(self, problem: str, file: str | None = None, detail: str | None = None) -> None:
        self.findings.append(Finding("warning", problem, file, detail))

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in self.findings)

    def worst(self, file: str) -> Finding | None:
        """The first error about ``file``, else its first warning."""
        about = [f for f in self.findings if f.file == file]
        return next((f for f in about if f.severity == "error"), about[0] if about else None)

    def diagnostics(self) -> list[Diagnostic]:
        groups: dict[tuple[str, str], list[Finding]] = {}
        for finding in self.findings:
            groups.setdefault((finding.severity, finding.problem), []).append(finding)
        return [self._line(group) for group in groups.values()]

    def _line(self, group: list[Finding]) -> Diagnostic:
        first = group[0]
        named = [f"{f.file} ({f.detail})" if f.detail else str(f.file) for f in group if f.file]
        message = first.problem
        if named:
            shown = ", ".join(named[:SHOWN_FILES])
            if len(named) > SHOWN_FILES:
                shown += f" and {len(named) - SHOWN_FILES} more"
            message = f"{shown}: {message}"
        return Diagnostic.at(self.location, self.path, message, first.severity)
