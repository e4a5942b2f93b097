"""Located problems: every config or data error becomes one ``file:line:column: path: message``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from reconciler.errors import ConfigError
from reconciler.printable import SURROGATES, printable

__all__ = ["SURROGATES", "Diagnostic", "InvalidConfig", "Location", "display_path", "printable"]

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Location:
    """Where something is written; line and column are 1-based, None when not known."""

    file: Path
    line: int | None = None
    column: int | None = None


def display_path(path: Path, cwd: Path | None) -> str:
    """Relative to ``cwd`` when the path lies under it, as given otherwise."""
    if cwd is not None:
        try:
            return str(path.relative_to(cwd))
        except ValueError:
            pass
    return str(path)


@dataclass(frozen=True)
class Diagnostic:
    severity: Severity
    file: Path
    line: int | None
    column: int | None
    path: str
    message: str

    @classmethod
    def at(
        cls, location: Location, path: str, message: str, severity: Severity = "error"
    ) -> Diagnostic:
        return cls(severity, location.file, location.line, location.column, path, message)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def sort_key(self) -> tuple[str, int, int]:
        """File order; a stable sort keeps same-place problems in the order they were found."""
        return (str(self.file), self.line or 0, self.column or 0)

    def full_sort_key(self) -> tuple[str, int, int, str, str]:
        """A total order, for problems collected through sets."""
        return (*self.sort_key(), self.path, self.message)

    def format(self, cwd: Path | None = None) -> str:
        where = display_path(self.file, cwd)
        if self.line is not None:
            where += f":{self.line}:{self.column or 1}"
        text = f"{self.path}: {self.message}" if self.path else self.message
        # One line per problem even when a key or a file name holds a line break, and one
        # that any terminal can print even when a file name holds bytes that are not UTF-8.
        return printable(f"{where}: {text}".replace("\r", "\\r").replace("\n", "\\n"))

    def to_dict(self, cwd: Path | None = None) -> dict[str, Any]:
        return {
            "severity": self.severity,
            "file": printable(display_path(self.file, cwd)),
            "line": self.line,
            "column": self.column,
            "path": printable(self.path),
            "message": printable(self.message),
        }


class InvalidConfig(ConfigError):
    """Every error found at once, one formatted line each, so the CLI prints them all."""

    def __init__(self, diagnostics: Iterable[Diagnostic], cwd: Path | None = None) -> None:
        self.diagnostics = [d for d in diagnostics if d.is_error]
        super().__init__("\n".join(d.format(cwd) for d in self.diagnostics))
