"""Located problems: every config or data error becomes one ``file:line:column: path: message``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from reconciler.errors import ConfigError

Severity = Literal["error", "warning"]

# Lone UTF-16 surrogates, which no encoder (UTF-8 for HTTP and files, the terminal) accepts:
# PyYAML's "\ud800" escapes make them, and so does os.fsdecode for a file name's bad bytes.
SURROGATES = re.compile("[\ud800-\udfff]")
# Control characters from a file or an argument, echoed in a message, would move the cursor
# or split the line on a terminal. Newlines stay: they separate problems.
_UNPRINTABLE = re.compile("[\ud800-\udfff\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """``text`` safe to print and encode: every lone surrogate escaped (a file name's
    undecodable byte, which os.fsdecode turned into U+DC80..U+DCFF, as ``\\xff``, any other
    as ``\\ud800``), and every control character but newline and tab too."""
    return _UNPRINTABLE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}" if 0xD800 <= code <= 0xDFFF else ascii(match.group())[1:-1]


@dataclass(frozen=True)
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
