"""State layer: what apply created (model), where it lives (backend), who may change it (lock)."""

from reconciler.state.backend import StateBackend
from reconciler.state.errors import LockError, StateError
from reconciler.state.local import LocalStateBackend
from reconciler.state.lockinfo import Confirm, LockInfo
from reconciler.state.model import FORMAT_VERSION, State
from reconciler.state.privacy import is_phone_fingerprint, phone_fingerprint
from reconciler.state.record import PHASES, Phase, VoiceRecord, address_of, is_job_id
from reconciler.state.timestamps import parse_rfc3339, rfc3339

__all__ = [
    "FORMAT_VERSION",
    "PHASES",
    "Confirm",
    "LocalStateBackend",
    "LockError",
    "LockInfo",
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
