"""The one fatal error type of the project and the exit statuses the CLI maps it to."""

from __future__ import annotations

import enum


class ExitStatus(enum.IntEnum):
    OK = 0
    ERROR = 1
    CHANGES = 2  # plan --detailed-exitcode: the plan is not empty
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)
    BROKEN_PIPE = 141  # stdout's reader went away: 128 + SIGPIPE, as shells report it
    TERMINATED = 143  # SIGTERM (128 + 15), handled like Ctrl-C


class ReconcilerError(Exception):
    """An error a person can act on: the message says what is wrong and what to do next.

    The CLI prints ``str(error)`` on one line and exits with ``exit_status``; the
    traceback only appears with ``--debug``.
    """

    exit_status: ExitStatus = ExitStatus.ERROR

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message)

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} ({self.hint})"
        return self.message


class UsageError(ReconcilerError):
    """The command line itself is wrong."""


class ConfigError(ReconcilerError):
    """The YAML configuration or its training data is invalid."""
