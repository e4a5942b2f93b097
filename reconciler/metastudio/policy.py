"""Retry with bounded exponential backoff and jitter, and client-side rate limits."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from reconciler.metastudio.errors import TransportError

log = logging.getLogger("reconciler.metastudio")
T = TypeVar("T")

# Published per-tenant limits: creating jobs and fetching upload URLs about 1/s, queries about
# 20/s. Mutations other than create are not published; they share the query budget.
DEFAULT_RATES: Mapping[str, float] = {"create": 1.0, "upload_url": 1.0, "query": 20.0}


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_retry_after: float = 120.0

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """Full jitter over an exponential ceiling, never shorter than the server's Retry-After."""
        ceiling = min(self.max_delay, self.base_delay * (2 ** (attempt - 1)))
        jittered = rng.uniform(0, ceiling)
        if retry_after is not None:
            return max(jittered, min(retry_after, self.max_retry_after))
        return jittered


class TryAgain(Exception):
    """Raised by an attempt that another attempt may mend; ``final`` is what the caller gets
    once no attempt is left. ``at_once``: the attempt itself was mended (a refused upload URL
    replaced), so the next one follows without waiting, and whatever the count: the caller
    bounds how often that happens."""

    def __init__(
        self,
        final: Exception,
        *,
        why: str,
        retry_after: float | None = None,
        at_once: bool = False,
    ) -> None:
        super().__init__(why)
        self.final = final
        self.why = why
        self.retry_after = retry_after
        self.at_once = at_once


def retrying(
    policy: RetryPolicy,
    attempt: Callable[[], T],
    *,
    what: str,
    sleep: Callable[[float], None],
    rng: random.Random,
) -> T:
    """``attempt()``'s result, calling it again after a backoff each time it raises TryAgain,
    up to ``policy.max_attempts`` calls. Any other exception ends it at once: an attempt that
    must not be repeated (a non-idempotent request that was sent) raises its own error."""
    number = 0
    started = time.monotonic()
    while True:
        number += 1
        try:
            return attempt()
        except TryAgain as again:
            if again.at_once:
                continue
            if number >= policy.max_attempts:
                final = again.final
                if isinstance(final, TransportError):
                    final = final.after(number, time.monotonic() - started)
                raise final from None
            delay = policy.delay(number, again.retry_after, rng)
            log.debug("%s: %s, retry %d in %.2fs", what, again.why, number, delay)
            sleep(delay)


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None  # an HTTP-date is legal but MetaStudio sends seconds; backoff covers it
    return seconds if seconds >= 0 else None


@dataclass
class TokenBucket:
    """Allows ``rate`` calls per second with a burst of one second's worth (at least 1)."""

    rate: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _tokens: float = field(init=False)
    _stamp: float = field(init=False)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._tokens = self.capacity
        self._stamp = self.clock()

    @property
    def capacity(self) -> float:
        return max(1.0, self.rate)

    def acquire(self) -> None:
        if self.rate <= 0:  # 0 or less: unlimited
            return
        with self._lock:
            now = self.clock()
            self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            self._tokens -= 1
            wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
        if wait > 0:
            self.sleep(wait)


class RateLimits:
    def __init__(
        self,
        rates: Mapping[str, float] | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        merged = {**DEFAULT_RATES, **(rates or {})}
        self.buckets = {
            name: TokenBucket(rate, clock=clock, sleep=sleep) for name, rate in merged.items()
        }

    @classmethod
    def unlimited(cls) -> RateLimits:
        return cls({name: 0.0 for name in DEFAULT_RATES})

    def acquire(self, rate_class: str) -> None:
        self.buckets[rate_class].acquire()
