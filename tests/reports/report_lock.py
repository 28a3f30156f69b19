"""A process that holds the working warehouse open for writing, as a sync or a build does."""

from __future__ import annotations

from typing import Any

import duckdb


def hold_for_writing(path: str, locked: Any, release: Any) -> None:
    """Open `path` read-write, write a row, signal `locked`, and keep the file until `release`."""
    con = duckdb.connect(path)
    con.execute("create table if not exists marts.sync_in_progress (n integer)")
    con.execute("insert into marts.sync_in_progress values (1)")
    locked.set()
    release.wait(120)
    con.close()
