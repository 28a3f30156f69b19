"""Retries with exponential backoff and jitter that honour the server's Retry-After."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from connectors.common.errors import RateLimitError, TransientError

T = TypeVar("T")
log = logging.getLogger(__name__)


def backoff_delay(attempt: int, base_delay: float, max_delay: float, rng: random.Random) -> float:
    """Full-jitter exponential backoff for attempt 1, 2, …"""
    return float(min(max_delay, base_delay * 2 ** (attempt - 1)) * (0.5 + rng.random() / 2))


def call_with_retry(
    fn: Callable[[], T],
    *,
    source: str,
    obj: str | None = None,
    max_attempts: int = 8,
    base_delay: float = 0.5,
    max_delay: float = 30.0,
    sleep: Callable[[float], None] = time.sleep,
    on_retry: Callable[[Exception, int, float], None] | None = None,
) -> T:
    """Call `fn`, retrying rate limits and transient faults; other errors propagate at once."""
    rng = random.Random()
    attempt = 0
    while True:
        attempt += 1
        try:
            return fn()
        except (RateLimitError, TransientError) as exc:
            if attempt >= max_attempts:
                raise
            if isinstance(exc, RateLimitError) and exc.retry_after is not None:
                delay = min(max(exc.retry_after, 0.0), max(max_delay, exc.retry_after)) + rng.random() * 0.1
            else:
                delay = backoff_delay(attempt, base_delay, max_delay, rng)
            log.info("%s %s: %s; retry %d/%d in %.1fs", source, obj or "", type(exc).__name__, attempt,
                     max_attempts - 1, delay)
            if on_retry is not None:
                on_retry(exc, attempt, delay)
            sleep(delay)
