"""What every verb's view does: tell the error that ends the command.

cli.py maps exceptions to exit codes and hands the error to the view the verb module chose
from its flags: this one writes a line to stderr; the JSON views write diagnostics.
"""

from __future__ import annotations

from typing import Protocol

from reconciler.environment import Environment
from reconciler.printable import printable


class View(Protocol):
    def fail(self, error: BaseException, text: str) -> None:
        """Tell ``error``, whose one-line human form is ``text``."""


class TextView:
    """The view of a verb that has no other output than its own lines."""

    def __init__(self, env: Environment) -> None:
        self.env = env

    def fail(self, error: BaseException, text: str) -> None:
        self.env.err(printable(text))


def text_view(env: Environment) -> TextView:
    return TextView(env)
