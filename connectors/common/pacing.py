"""Client-side pacing to an API's request window, shared by every thread of one client.

CRM APIs limit requests per sliding window (HubSpot: 190 per 10 s on Pro apps, 5 searches per second;
Pipedrive: 80 per 2 s on Growth API tokens) and answer the excess with 429 and a Retry-After rounded
up to whole seconds. Pacing on our side keeps every request inside the window instead: a request may
start while fewer than `limit` requests are in flight or were answered less than `window` seconds
ago. Counting a request until `window` after its answer (which comes after the server counted it)
keeps that safe whatever the network latency, so no margin has to be guessed.

The window is learnt from the answers' rate-limit headers (`observe`): the limit and window the API
announces, and the remaining count. A remaining count lower than this client's own requests can
explain means another integration spends the same quota; those requests are counted in the window
too. A 429 stops every thread for the time the API asks (`hold`), so one refusal does not become many.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

MAX_HOLD = 120.0  # seconds: the longest 429 wait imposed on every thread


@dataclass(frozen=True)
class RateHeaders:
    """The names of the headers through which an API announces its window (lower case).

    `window_ms`: the header giving the window in milliseconds (HubSpot); without it the window
    stays the documented one."""

    limit: str
    remaining: str
    window_ms: str | None = None


def header_value(headers: Any, name: str) -> str | None:
    """A header by lower-case name from any mapping (requests, urllib3 or a plain dict)."""
    if not headers or not name:
        return None
    getter = getattr(headers, "get", None)
    if getter is not None:  # case-insensitive mappings answer at once
        value = getter(name)
        if value is not None:
            return str(value)
    for key, value in dict(headers).items():
        if str(key).lower() == name:
            return str(value)
    return None


def _number(raw: str | None) -> float | None:
    if raw is None:
        return None
    try:
        return float(raw)
    except ValueError:
        return None


@dataclass(frozen=True)
class Ticket:
    """One request's place in the window: its number and when it was sent."""

    number: int
    sent: float


class RatePacer:
    """Waits before each request until the API's sliding window has room (see the module docstring).

    `limit=None` paces nothing until an answer announces a limit. Thread-safe."""

    def __init__(self, limit: int | None, window: float, *, headers: RateHeaders | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.headers = headers
        self._clock = clock
        self._cond = threading.Condition()
        self._numbers = itertools.count()
        self._flying: dict[int, float] = {}  # ticket number -> sent
        self._answered: deque[tuple[float, float]] = deque()  # (sent, answered), by answer time
        self._foreign: deque[float] = deque()  # other integrations' requests, as seen by us
        self._held_until = 0.0
        self._hold_owner: int | None = None
        self.waited = 0.0  # seconds spent waiting for room, summed over threads (for diagnostics)

    # -- one request ---------------------------------------------------------------------------
    @contextmanager
    def slot(self) -> Iterator[Ticket]:
        """Hold a place in the window for one request: waits for room, and keeps counting the
        request until `window` seconds after the block ends (its answer)."""
        ticket = self._acquire()
        try:
            yield ticket
        finally:
            with self._cond:
                sent = self._flying.pop(ticket.number)
                self._answered.append((sent, self._clock()))
                self._cond.notify_all()

    def _acquire(self) -> Ticket:
        with self._cond:
            while True:
                now = self._clock()
                held = self._held_until - now
                if held > 0 and self._hold_owner != threading.get_ident():
                    # another thread met a 429: wait what the API asked (that thread waits it out in
                    # its own retry)
                    self.waited += held
                    self._cond.wait(timeout=held)
                    continue
                wait = self._room_in(now)
                if wait <= 0:
                    ticket = Ticket(next(self._numbers), now)
                    self._flying[ticket.number] = now
                    return ticket
                self.waited += wait
                # an answer or a changed limit may make room earlier: wake on notify
                self._cond.wait(timeout=wait)

    def _forget(self, now: float) -> None:
        """Drop what no longer counts: answers older than two windows (kept one window longer than
        the window itself to explain the API's remaining counts) and other integrations' requests
        older than one."""
        while self._answered and self._answered[0][1] <= now - 2 * self.window:
            self._answered.popleft()
        while self._foreign and self._foreign[0] <= now - self.window:
            self._foreign.popleft()

    def _room_in(self, now: float) -> float:
        """0 when a request may start now, else the seconds until the oldest counted request leaves
        the window (or a short poll while only requests in flight fill it)."""
        if self.limit is None:
            return 0.0
        self._forget(now)
        start = now - self.window
        counted = sorted([r for _, r in self._answered if r > start] + list(self._foreign))
        if len(self._flying) + len(counted) < self.limit:
            return 0.0
        # the window frees as counted requests leave it, oldest first
        excess = len(self._flying) + len(counted) - self.limit
        if excess < len(counted):
            return counted[excess] + self.window - now
        return min(self.window, 0.05)  # the window is all in flight: wait for an answer

    def available(self) -> int | None:
        """How many requests may start right now (None: no limit known yet)."""
        with self._cond:
            if self.limit is None:
                return None
            now = self._clock()
            self._forget(now)
            counted = sum(1 for _, answered in self._answered if answered > now - self.window)
            return max(0, self.limit - len(self._flying) - counted - len(self._foreign))

    # -- what the API says -----------------------------------------------------------------------
    def observe(self, headers: Any, ticket: Ticket | None = None) -> None:
        """Adapt to an answer's rate-limit headers (call it before the request's slot ends): the
        announced limit and window, and, for the request `ticket`, a remaining count lower than
        this client's own requests can explain."""
        if self.headers is None or not headers:
            return
        limit = _number(header_value(headers, self.headers.limit))
        remaining = _number(header_value(headers, self.headers.remaining))
        window_ms = _number(header_value(headers, self.headers.window_ms)) if self.headers.window_ms else None
        with self._cond:
            if limit is not None and limit >= 1:
                self.limit = int(limit)
            if window_ms is not None and window_ms > 0:
                self.window = window_ms / 1000
            if remaining is not None and self.limit is not None and ticket is not None:
                self._count_foreign(self.limit - remaining, ticket)
            self._cond.notify_all()

    def _count_foreign(self, used: float, ticket: Ticket) -> None:
        """The API counted `used` requests in the window when `ticket`'s request reached it. Ours
        among them at most: those answered after `window` before it was sent, and those in flight.
        The rest are another integration's, counted here until they leave the window."""
        now = self._clock()
        if now - ticket.sent > self.window:
            return  # a slow answer: the requests it would be compared with are forgotten already
        self._forget(now)
        start = ticket.sent - self.window
        ours = len(self._flying) + sum(1 for _, answered in self._answered if answered > start)
        missing = int(used) - ours - len(self._foreign)
        for _ in range(max(0, min(missing, self.limit or 0))):
            self._foreign.append(now)

    def hold(self, seconds: float) -> None:
        """After a 429: no other request of this client starts for `seconds` (the calling thread
        waits them out in its own retry). A wait longer than `MAX_HOLD` (a daily quota spent) is
        not held: the client's budget checks stop the sync instead."""
        if seconds > MAX_HOLD:
            return
        with self._cond:
            until = self._clock() + max(0.0, seconds)
            if until > self._held_until:
                self._held_until = until
                self._hold_owner = threading.get_ident()
