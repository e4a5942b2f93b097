"""State layer: what apply created (model), where it lives (backend), who may change it (lock).

The model is plain data the planner uses; a backend is loaded only when asked for, so that
importing the model loads no file-locking or storage library.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reconciler.addresses import address_of
from reconciler.state.backend import StateBackend
from reconciler.state.errors import LockError, LockLostError, StateError
from reconciler.state.lockinfo import Confirm, LockInfo
from reconciler.state.model import FORMAT_VERSION, State
from reconciler.state.privacy import is_phone_fingerprint, phone_fingerprint
from reconciler.state.record import PHASES, Phase, VoiceRecord, is_job_id
from reconciler.timestamps import parse_rfc3339, rfc3339

if TYPE_CHECKING:
    from reconciler.state.backends.local import LocalStateBackend


def __getattr__(name: str) -> Any:
    if name == "LocalStateBackend":
        from reconciler.state.backends.local import LocalStateBackend

        return LocalStateBackend
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "FORMAT_VERSION",
    "PHASES",
    "Confirm",
    "LocalStateBackend",
    "LockError",
    "LockInfo",
    "LockLostError",
    "Phase",
    "State",
    "StateBackend",
    "StateError",
    "VoiceRecord",
    "address_of",
    "is_job_id",
    "is_phone_fingerprint",
    "parse_rfc3339",
    "phone_fingerprint",
    "rfc3339",
]
