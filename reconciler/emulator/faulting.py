"""Acting out a fault decision on a live exchange, before or after the real work."""

from __future__ import annotations

import math
from collections.abc import Callable

from reconciler.emulator.core import Core
from reconciler.emulator.errors import INTERNAL_ERROR, THROTTLED
from reconciler.emulator.faults import Decision
from reconciler.emulator.wire import Exchange, Response

# (status, code, message, request_id, headers) -> response in the protocol's error format
ErrorRenderer = Callable[[int, str, str, str, dict[str, str]], Response]


def before(core: Core, exchange: Exchange, decision: Decision, render: ErrorRenderer) -> bool:
    """Sleep the injected latency, then act out a pre-response fault; True if one was."""
    if decision.latency > 0:
        core.stopping.wait(decision.latency)
    if decision.fault == "reset" or core.stopping.is_set():
        exchange.reset()
        return True
    if decision.fault == "throttle_429":
        retry_after = str(math.ceil(decision.retry_after))
        message = "The throttling threshold has been reached"
        response = render(
            429, THROTTLED, message, exchange.request_id, {"Retry-After": retry_after}
        )
    elif decision.fault == "error_500":
        response = render(500, INTERNAL_ERROR, "Internal server error", exchange.request_id, {})
    else:
        return False
    exchange.drain_body()
    exchange.send(response)
    return True
