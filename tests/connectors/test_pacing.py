"""The shared pacer keeps a client's requests inside the API's sliding window, from any number of
threads, learns the window from the rate-limit headers, counts another integration's requests, and
holds every other thread after a 429."""

from __future__ import annotations

import threading
import time
from collections import deque

from connectors.common.pacing import RateHeaders, RatePacer

HEADERS = RateHeaders(limit="x-ratelimit-limit", remaining="x-ratelimit-remaining")


class WindowServer:
    """A stand-in for an API with a sliding window: refuses a request that arrives when `limit`
    others arrived less than `window` seconds before (as the sandbox servers do)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self.arrivals: deque[float] = deque()
        self.accepted = 0
        self.refused = 0
        self.lock = threading.Lock()

    def answer(self) -> dict[str, str]:
        with self.lock:
            now = time.monotonic()
            while self.arrivals and now - self.arrivals[0] >= self.window:
                self.arrivals.popleft()
            if len(self.arrivals) >= self.limit:
                self.refused += 1
                return {}
            self.arrivals.append(now)
            self.accepted += 1
            return {"x-ratelimit-limit": str(self.limit),
                    "x-ratelimit-remaining": str(self.limit - len(self.arrivals))}


def test_threads_sharing_a_pacer_never_run_into_the_window() -> None:
    server = WindowServer(limit=8, window=0.1)
    pacer = RatePacer(None, 0.1, headers=HEADERS)
    with pacer.slot() as ticket:  # the first answer announces the limit
        pacer.observe(server.answer(), ticket)

    def work() -> None:
        for _ in range(12):
            with pacer.slot() as ticket:
                pacer.observe(server.answer(), ticket)

    threads = [threading.Thread(target=work) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert server.refused == 0
    assert server.accepted == 61
    assert pacer.waited > 0  # 61 requests could not fit in one window: the pacer had to wait


def test_the_limit_and_the_window_are_learnt_from_the_headers() -> None:
    pacer = RatePacer(None, 10.0, headers=RateHeaders("x-max", "x-remaining", window_ms="x-interval-ms"))
    assert pacer.available() is None  # nothing announced yet: nothing paced
    with pacer.slot() as ticket:
        pacer.observe({"X-Max": "190", "X-Remaining": "189", "X-Interval-Ms": "2000"}, ticket)
    assert (pacer.limit, pacer.window) == (190, 2.0)
    assert pacer.available() == 189


def test_requests_of_another_integration_on_the_same_quota_are_counted() -> None:
    now = [100.0]
    pacer = RatePacer(10, 2.0, headers=HEADERS, clock=lambda: now[0])
    with pacer.slot() as ticket:
        now[0] += 0.05
        # the API counted 8 requests in its window; this client sent one
        pacer.observe({"x-ratelimit-limit": "10", "x-ratelimit-remaining": "2"}, ticket)
    assert pacer.available() == 2
    with pacer.slot() as ticket:  # the same picture again adds nobody
        pacer.observe({"x-ratelimit-limit": "10", "x-ratelimit-remaining": "1"}, ticket)
    assert pacer.available() == 1
    now[0] += 2.5  # they all left the window
    assert pacer.available() == 10


def test_a_remaining_count_our_own_requests_explain_adds_nobody() -> None:
    now = [0.0]
    pacer = RatePacer(5, 1.0, headers=HEADERS, clock=lambda: now[0])
    for used in range(1, 6):
        with pacer.slot() as ticket:
            now[0] += 0.01
            pacer.observe({"x-ratelimit-limit": "5", "x-ratelimit-remaining": str(5 - used)}, ticket)
    assert pacer.available() == 0
    now[0] += 1.0
    assert pacer.available() == 5


def test_after_a_429_the_other_threads_wait_and_the_one_that_met_it_does_not() -> None:
    pacer = RatePacer(100, 1.0)
    pacer.hold(1.0)  # long enough that a busy machine does not let it pass before the next line
    held_until = pacer._held_until
    with pacer.slot() as mine:  # this thread met the 429: it waits in its own retry, not here
        assert mine.sent < held_until
    entered: list[float] = []

    def other() -> None:
        with pacer.slot() as ticket:
            entered.append(ticket.sent)

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert entered and entered[0] >= held_until


def test_a_wait_of_a_spent_daily_quota_is_not_imposed_on_every_thread() -> None:
    pacer = RatePacer(100, 1.0)
    pacer.hold(6 * 3600)  # "come back tomorrow": the client's budget check stops the sync instead
    assert pacer._held_until == 0.0
