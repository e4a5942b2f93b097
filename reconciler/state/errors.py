"""Errors of the state layer; both are ReconcilerErrors, so the CLI shows them on one line."""

from __future__ import annotations

from reconciler.errors import ReconcilerError


class StateError(ReconcilerError):
    """The state file cannot be read or written safely."""


class LockError(ReconcilerError):
    """The state lock cannot be taken or removed."""
