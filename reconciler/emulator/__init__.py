"""A local MetaStudio voice-training + OBS stand-in speaking the real wire protocol.

It is a separate program from the client (it must never import ``reconciler.metastudio``):
tests and benchmarks talk to it over real HTTP on loopback.
"""

from reconciler.emulator.config import Credential, EmulatorConfig
from reconciler.emulator.emulator import Emulator
from reconciler.emulator.faults import FaultPlan, FaultRule
from reconciler.emulator.tenant import Tenant, TenantFileError

__all__ = [
    "Credential",
    "Emulator",
    "EmulatorConfig",
    "FaultPlan",
    "FaultRule",
    "Tenant",
    "TenantFileError",
]
