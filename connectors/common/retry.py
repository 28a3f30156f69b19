"""Retries with exponential backoff and jitter that honour the server's Retry-After."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from connectors.common.errors import ConnectorError, RateLimitError, TransientError

T = TypeVar("T")
log = logging.getLogger(__name__)


def backoff_delay(attempt: int, base_delay: float, max_delay: float, rng: random.Random) -> float:
    """Full-jitter exponential backoff for attempt 1, 2, …"""
    return float(min(max_delay, base_delay * 2 ** (attempt - 1)) * (0.5 + rng.random() / 2))


def gave_up(exc: ConnectorError, attempts: int) -> None:
    """Rewrite the hint of an error that is raised after its last attempt: hints written for a retry
    ("Retrying", "Waiting as the API asks") would tell the operator something is still going on."""
    if isinstance(exc, RateLimitError):
        why = "still rate limited"
        check = "another integration may be spending the same API quota"
    else:
        why = "the service kept failing"
        check = "check the service's status page and the network"
    exc.hint = (f"Gave up after {attempts} attempts ({why}); the next sync starts again from the last saved "
                f"cursor. If it keeps failing, {check}")
    exc.args = (str(exc),)


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
    """Call `fn`, retrying rate limits and transient faults; other errors propagate at once. After
    `max_attempts` the last error is raised with a hint saying the retries are over (see `gave_up`)."""
    rng = random.Random()
    attempt = 0
    while True:
        attempt += 1
        try:
            return fn()
        except (RateLimitError, TransientError) as exc:
            if attempt >= max_attempts:
                gave_up(exc, attempt)
                log.warning("%s %s: giving up after %d attempts: %s", source, obj or "", attempt, exc)
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
