"""Making text from files and arguments safe to print: no dependencies, so the CLI's error
path and `--help` can use it without loading the YAML and HTTP stacks."""

from __future__ import annotations

import re

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
