"""ANSI styling that is a no-op when colour is off, so renderers need no branches for it."""

from __future__ import annotations

from dataclasses import dataclass

RESET = "\x1b[0m"
BOLD = "\x1b[1m"
RED = "\x1b[31m"
GREEN = "\x1b[32m"
YELLOW = "\x1b[33m"

_SIGN_COLORS = {"+": GREEN, "~": YELLOW, "-": RED}


@dataclass(frozen=True)
class Style:
    color: bool = False

    def paint(self, text: str, code: str) -> str:
        return f"{code}{text}{RESET}" if self.color and text else text

    def bold(self, text: str) -> str:
        return self.paint(text, BOLD)

    def sign(self, sign: str) -> str:
        if sign == "-/+":
            return f"{self.paint('-', RED)}/{self.paint('+', GREEN)}"
        return self.paint(sign, _SIGN_COLORS.get(sign.strip(), "")) if sign.strip() else sign
