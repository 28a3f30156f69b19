"""A read-only list of records built chunk by chunk on demand (for very large datasets)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, overload

Record = dict[str, Any]
Builder = Callable[[int, int], list[Record]]


# Lists up to this many records keep every chunk once built: a server scanning them for each request
# (Pipedrive's filtered lists) then builds them once, not per request. Longer lists keep only the last
# chunk, so a large company's biggest lists (millions of activities) never sit in memory whole.
KEEP_ALL_MAX = 600_000
# Longer lists keep their most recently used chunks: a server answers several readers of one list at
# once (a list, its property history, its associations), each at its own position.
KEEP_RECENT_CHUNKS = 6


class LazyRecords(Sequence[Record]):
    """`build(lo, hi)` returns records lo..hi-1. Up to KEEP_ALL_MAX records, the chunks built are kept;
    beyond, the KEEP_RECENT_CHUNKS most recently used."""

    def __init__(self, n: int, build: Builder, chunk: int = 20000) -> None:
        self._n = n
        self._build = build
        self._chunk = chunk
        self._kept: dict[int, list[Record]] | None = {} if n <= KEEP_ALL_MAX else None
        self._recent: dict[int, list[Record]] = {}  # chunk start -> records, least recently used first
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self._n

    def _chunk_of(self, i: int) -> list[Record]:
        lo = (i // self._chunk) * self._chunk
        if self._kept is not None:
            chunk = self._kept.get(lo)
            if chunk is None:
                chunk = self._kept[lo] = self._build(lo, min(lo + self._chunk, self._n))
            return chunk
        with self._lock:
            chunk = self._recent.pop(lo, None)
            if chunk is not None:
                self._recent[lo] = chunk  # most recent last
                return chunk
        chunk = self._build(lo, min(lo + self._chunk, self._n))
        with self._lock:
            self._recent[lo] = chunk
            while len(self._recent) > KEEP_RECENT_CHUNKS:
                self._recent.pop(next(iter(self._recent)))
        return chunk

    @overload
    def __getitem__(self, i: int) -> Record: ...

    @overload
    def __getitem__(self, i: slice) -> list[Record]: ...

    def __getitem__(self, i: int | slice) -> Record | list[Record]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._n))]
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError("record index out of range")
        return self._chunk_of(i)[i % self._chunk]

    def __iter__(self) -> Iterator[Record]:
        for lo in range(0, self._n, self._chunk):
            if self._kept is not None:
                yield from self._chunk_of(lo)
            else:
                yield from self._build(lo, min(lo + self._chunk, self._n))


def records(n: int, build: Builder, lazy: bool) -> list[Record] | LazyRecords:
    """All records at once, or a lazy sequence over them."""
    return LazyRecords(n, build) if lazy else build(0, n)
