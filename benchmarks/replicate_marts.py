"""Make an N-times larger warehouse out of a built one, for measuring the forecast at a size no sync here
reaches in a session: the marts the forecast reads are copied N times into a new DuckDB file, each copy
with its ids, e-mail addresses and team names prefixed (`c2-...`), so that the copies are N companies'
worth of deals, reps, teams and managers side by side, with the dates and amounts of the original.

    .venv/bin/python benchmarks/replicate_marts.py SOURCE.duckdb TARGET.duckdb --copies 4
    .venv/bin/python benchmarks/bench_forecast.py --warehouse TARGET.duckdb

Only the marts the forecast reads are copied (`revops.forecast.marts`); TARGET must not exist.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from revops.forecast.marts import _OPTIONAL, _REQUIRED  # noqa: E402


def _renamed(column: str) -> bool:
    """Whether a text column identifies something a copy must not share with the original."""
    return column.endswith("_id") or "email" in column or column == "team"


def replicate(source: Path, target: Path, copies: int) -> dict[str, int]:
    if target.exists():
        raise SystemExit(f"{target} exists: give a new file")
    if copies < 1:
        raise SystemExit("--copies must be at least 1")
    rows: dict[str, int] = {}
    with duckdb.connect(str(target)) as con:
        con.execute(f"ATTACH '{source}' AS src (READ_ONLY)")
        con.execute("CREATE SCHEMA marts")
        for table in [*_REQUIRED, *_OPTIONAL]:
            columns = con.execute(
                "SELECT column_name, data_type FROM information_schema.columns"
                " WHERE table_catalog = 'src' AND table_schema = 'marts' AND table_name = ? ORDER BY ordinal_position",
                [table]).fetchall()
            if not columns:
                continue  # an optional mart the source does not have
            parts = []
            for i in range(1, copies + 1):
                select = ", ".join(
                    f"CASE WHEN {name} IS NULL THEN NULL ELSE 'c{i}-' || {name} END AS {name}"
                    if kind == "VARCHAR" and _renamed(name) and i > 1 else name
                    for name, kind in columns)
                parts.append(f"SELECT {select} FROM src.marts.{table}")
            con.execute(f"CREATE TABLE marts.{table} AS " + " UNION ALL ".join(parts))
            rows[table] = int(con.execute(f"SELECT count(*) FROM marts.{table}").fetchall()[0][0])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("target", type=Path)
    parser.add_argument("--copies", type=int, default=4)
    args = parser.parse_args()
    t = time.perf_counter()
    rows = replicate(args.source, args.target, args.copies)
    for table, n in rows.items():
        print(f"{table}: {n:,} rows")
    print(f"{args.target} written in {time.perf_counter() - t:.0f}s")


if __name__ == "__main__":
    main()
