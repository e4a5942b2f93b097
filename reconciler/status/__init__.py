"""Where each voice's training stands, waiting for it to finish, and remembering what was seen."""

from reconciler.status.assets import check_assets
from reconciler.status.collect import collect, status_of
from reconciler.status.model import VoiceStatus
from reconciler.status.wait import WaitTimeout, wait

__all__ = [
    "VoiceStatus",
    "WaitTimeout",
    "check_assets",
    "collect",
    "status_of",
    "wait",
]
