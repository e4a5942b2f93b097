"""What the tests' emulators are configured with so that small, clean data trains.

Clean test data is realistic (see ``reconciler.speechlike``) but short: 20 sentences of a
second are far below the 3 minutes a basic voice needs by default. The tests' tenant allows
any total duration, as a tenant file can; the default limits have tests of their own
(tests/emulator/test_audit_rules.py).
"""

from __future__ import annotations

from reconciler.emulator import Tenant
from reconciler.emulator.tenant import EDITIONS

SHORT_TAKES = Tenant.from_dict({"durations": {f"{edition}_min": 0 for edition in EDITIONS}})
