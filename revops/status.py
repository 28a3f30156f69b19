"""What `revops status` reports: last sync per source and object, freshness, counts, checks."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb


def _age(ts: datetime | None) -> str:
    if ts is None:
        return "never"
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=UTC)
    minutes = (datetime.now(UTC) - ts).total_seconds() / 60
    if minutes < 120:
        return f"{minutes:.0f} min"
    if minutes < 48 * 60:
        return f"{minutes / 60:.0f} h"
    return f"{minutes / 1440:.0f} days"


def collect_status(warehouse: Path) -> dict[str, Any]:
    """Read ops.* (read-only) and summarise; works while no sync holds the warehouse."""
    from connectors.runner import warehouse_count

    out: dict[str, Any] = {"objects": [], "failed_checks": [], "mismatches": 0, "rejected": 0}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        has = {r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'ops'").fetchall()}
        if "sync_runs" not in has:
            return out
        rows = con.execute("""
            with ranked as (
              select *, row_number() over (partition by source, object order by finished_at desc) as rn
              from ops.sync_runs where object <> '*')
            select source, object, finished_at, outcome, rows from ranked where rn = 1 order by 1, 2
        """).fetchall()
        recon: dict[tuple[str, str], str] = {}
        if "reconciliation" in has:
            for source, obj, src_n, wh_n, st in con.execute("""
                with ranked as (select *, row_number() over (partition by source, object order by checked_at desc) rn
                                from ops.reconciliation)
                select source, object, source_count, warehouse_count, status from ranked where rn = 1
            """).fetchall():
                recon[(source, obj)] = "ok" if st == "ok" else f"MISMATCH {wh_n} vs {src_n}"
                out["mismatches"] += st != "ok"
        for source, obj, finished, outcome, n in rows:
            schema = "raw_inputs" if source == "files" else f"raw_{source}"
            out["objects"].append({
                "source": source, "object": obj,
                "last_sync": finished.strftime("%Y-%m-%d %H:%M") if finished else "-",
                "age": _age(finished), "outcome": outcome, "rows": n,
                "warehouse_rows": warehouse_count(con, schema, obj) if not obj.startswith("_") else "-",
                "reconciliation": recon.get((source, obj), "-"),
            })
        if "check_results" in has:
            out["failed_checks"] = [f"{name} on {asset}: {desc}" for name, asset, desc in con.execute("""
                with ranked as (select *, row_number() over (partition by check_name, asset order by checked_at desc) rn
                                from ops.check_results)
                select check_name, asset, description from ranked where rn = 1 and not passed
            """).fetchall()]
        views = {r[0] for r in con.execute(
            "select table_name from information_schema.tables where table_schema = 'ops'").fetchall()}
        if "rejected_records" in views:
            out["rejected"] = con.execute("select count(*) from ops.rejected_records").fetchone()[0]  # type: ignore[index]
    return out
