"""State layer: what apply created (model), where it lives (backend), who may change it (lock).

Every name here is loaded on first use (PEP 562): importing ``reconciler.state.model`` runs
this file first, and the planner, which needs only the model, must not pay for the lock's
socket and getpass or the file-system helpers a backend uses.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reconciler.addresses import address_of
    from reconciler.state.backend import StateBackend
    from reconciler.state.backends.local import LocalStateBackend
    from reconciler.state.errors import LockError, LockLostError, StateError
    from reconciler.state.lockinfo import Confirm, LockInfo
    from reconciler.state.model import FORMAT_VERSION, State
    from reconciler.state.privacy import is_phone_fingerprint, phone_fingerprint
    from reconciler.state.record import PHASES, Phase, VoiceRecord, is_job_id
    from reconciler.timestamps import parse_rfc3339, rfc3339

# Each exported name and the module that defines it.
_HOMES = {
    "FORMAT_VERSION": "reconciler.state.model",
    "PHASES": "reconciler.state.record",
    "Confirm": "reconciler.state.lockinfo",
    "LocalStateBackend": "reconciler.state.backends.local",
    "LockError": "reconciler.state.errors",
    "LockInfo": "reconciler.state.lockinfo",
    "LockLostError": "reconciler.state.errors",
    "Phase": "reconciler.state.record",
    "State": "reconciler.state.model",
    "StateBackend": "reconciler.state.backend",
    "StateError": "reconciler.state.errors",
    "VoiceRecord": "reconciler.state.record",
    "address_of": "reconciler.addresses",
    "is_job_id": "reconciler.state.record",
    "is_phone_fingerprint": "reconciler.state.privacy",
    "parse_rfc3339": "reconciler.timestamps",
    "phone_fingerprint": "reconciler.state.privacy",
    "rfc3339": "reconciler.timestamps",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value  # once loaded, a plain module attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})


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
