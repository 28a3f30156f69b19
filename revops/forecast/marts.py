"""Read the marts the forecast needs from the DuckDB warehouse into plain pandas frames.

Dates become day numbers (days since 1970-01-01, float with NaN for missing) so that the forecast code
can compare and subtract them with numpy; instants become the day of their UTC date (and, for changes,
epoch seconds so that changes on one day keep their order). Nothing here is point-in-time: the
`as_of_view` in `revops.forecast.asof` is the only way the methods see these frames.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from revops.forecast.events import DealEvents

EPOCH = date(1970, 1, 1)


class ForecastInputError(RuntimeError):
    """A mart the forecast reads is missing, or lacks a documented column."""


def day_number(d: date) -> int:
    """Day number of a calendar date (days since 1970-01-01)."""
    return (d - EPOCH).days


def day_to_date(day: float | int) -> date:
    """Calendar date of a day number."""
    return EPOCH + timedelta(days=int(day))


# table -> {column: SQL expression producing it}; `day(x)` marks a DATE or TIMESTAMP read as a day number.
_REQUIRED: dict[str, dict[str, str]] = {
    "fct_deals": {
        "deal_id": "deal_id", "source": "source", "owner_rep_id": "owner_rep_id", "team": "team",
        "segment": "segment", "account_id": "account_id", "stage": "stage", "stage_order": "stage_order",
        "status": "status", "currency": "currency", "amount": "amount", "fx_rate": "fx_rate",
        "amount_corporate": "amount_corporate", "probability": "probability",
        "forecast_category": "forecast_category", "created_day": "day(created_date)",
        "ecd_day": "day(expected_close_date)", "closed_day": "day(closed_date)",
    },
    "fct_pipeline_daily": {
        "day": "day(snapshot_date)", "deal_id": "deal_id", "source": "source",
        "owner_rep_id": "owner_rep_id", "team": "team", "segment": "segment", "stage": "stage",
        "stage_order": "stage_order", "amount_corporate": "amount_corporate", "probability": "probability",
        "forecast_category": "forecast_category", "ecd_day": "day(expected_close_date)",
        "created_day": "day(created_date)", "days_in_stage": "days_in_stage",
    },
    "fct_deal_stage_events": {
        "deal_id": "deal_id", "stage": "stage", "stage_order": "stage_order",
        "entered_day": "day(entered_at)", "exited_day": "day(exited_at)",
    },
    "fct_deal_changes": {
        "deal_id": "deal_id", "day": "day(changed_at)", "changed_epoch": "epoch(changed_at)",
        "field": "field", "old_value": "old_value", "new_value": "new_value",
    },
    "fct_activities": {
        "deal_id": "deal_id", "account_id": "account_id", "rep_id": "rep_id",
        "activity_type": "activity_type", "day": "day(activity_date)",
    },
    "fct_lead_funnel": {
        "person_id": "person_id", "email": "email", "source": "source", "owner_rep_id": "owner_rep_id",
        "account_id": "account_id", "created_day": "day(created_at)", "mql_day": "day(mql_at)",
        "sql_day": "day(sql_at)", "mql_at": "mql_at",
    },
    "dim_reps": {"rep_id": "rep_id", "email": "email", "team": "team", "manager_email": "manager_email",
                 "role": "role"},
    "fct_quotas": {"rep_id": "rep_id", "email": "email", "start_day": "day(period_start)",
                   "end_day": "day(period_end)", "quota_type": "quota_type", "quota_amount": "quota_amount"},
}
_OPTIONAL: dict[str, dict[str, str]] = {"dim_accounts": {"account_id": "account_id", "segment": "segment"}}


@dataclass(frozen=True)
class Marts:
    """The warehouse marts as read today (not point-in-time; see `as_of_view`)."""

    deals: pd.DataFrame
    pipeline: pd.DataFrame
    stage_events: pd.DataFrame
    changes: pd.DataFrame
    activities: pd.DataFrame
    leads: pd.DataFrame
    reps: pd.DataFrame
    quotas: pd.DataFrame
    accounts: pd.DataFrame
    # None: `pipeline` holds every daily row. Otherwise it is compact (see `load_marts`): complete only on
    # Mondays, first days of months and these extra days; other days hold only the rows that differ.
    compact_days: frozenset[int] | None = None

    def __post_init__(self) -> None:
        # Snapshots are read by day ranges (see `pipeline_between`), which needs them sorted by day.
        if not self.pipeline["day"].is_monotonic_increasing:
            ordered = self.pipeline.sort_values(["day", "deal_id"], kind="stable").reset_index(drop=True)
            object.__setattr__(self, "pipeline", ordered)

    @cached_property
    def _pipeline_days(self) -> np.ndarray:
        return np.asarray(self.pipeline["day"].to_numpy("float64"))

    @cached_property
    def deal_events(self) -> DealEvents:
        """Every deal's activities, close-date pushes and amount cuts, indexed once for all the views
        (each asks only about days before its own; see `revops.forecast.events`)."""
        return DealEvents.of(self.activities, self.changes)

    @cached_property
    def changes_by_field(self) -> dict[str, pd.DataFrame]:
        """Recorded changes split by field, each sorted by deal and time."""
        return {str(f): g for f, g in self.changes.groupby("field", sort=False)}

    @cached_property
    def deal_codes(self) -> tuple[np.ndarray, dict[str, np.ndarray], int]:
        """One integer code per deal id, for array lookups instead of id lookups in every view: the
        codes of `deals`' rows, of each `changes_by_field` frame's rows, and how many codes there are
        (-1: no deal id)."""
        fields = self.changes_by_field
        parts = [self.deals["deal_id"]] + [g["deal_id"] for g in fields.values()]
        codes, uniques = pd.factorize(pd.concat(parts, ignore_index=True).astype(object))
        bounds = np.cumsum([0] + [len(p) for p in parts])
        by_field = {f: codes[bounds[i + 1]:bounds[i + 2]] for i, f in enumerate(fields)}
        return codes[:bounds[1]], by_field, len(uniques)

    def pipeline_between(self, first_day: float, last_day: float) -> pd.DataFrame:
        """Snapshot rows dated first_day..last_day (inclusive), without copying the frame."""
        days = self._pipeline_days
        lo = int(np.searchsorted(days, first_day, side="left"))
        hi = int(np.searchsorted(days, last_day, side="right"))
        return self.pipeline.iloc[lo:hi]

    def pipeline_on(self, day: int) -> pd.DataFrame:
        """Every snapshot row of one day; a compact pipeline refuses a day it does not hold in full."""
        if self.compact_days is not None and not is_complete_day(day, self.compact_days):
            raise ValueError(
                f"the pipeline was read compact and does not hold every snapshot row of {day_to_date(day)}: "
                "load the marts with that day among `complete_days` (or without `complete_days`)")
        return self.pipeline_between(day, day)


def is_complete_day(day: int, extra_days: frozenset[int] | set[int]) -> bool:
    """Whether a compact pipeline holds every row of `day`: Mondays (the weekly snapshots the models
    train on and the back-test's week points), first days of months (every month, quarter and year
    boundary) and the extra days asked for (the as-of day)."""
    d = day_to_date(day)
    return day in extra_days or d.weekday() == 0 or d.day == 1


def normalise_status(value: object) -> str:
    """Map a status text from any CRM or history row to open, won or lost."""
    text = str(value).lower() if value is not None else ""
    if "won" in text:
        return "won"
    if "lost" in text:
        return "lost"
    return "open"


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> set[str]:
    rows = con.execute(
        "select lower(column_name) from information_schema.columns where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchall()
    return {r[0] for r in rows}


def _source_column(expr: str) -> str:
    inner = expr
    for wrapper in ("day(", "epoch("):
        if inner.startswith(wrapper):
            inner = inner[len(wrapper):-1]
    return inner


def _sql(expr: str) -> str:
    if expr.startswith("day("):
        col = expr[4:-1]
        return f"(CAST({col} AS DATE) - DATE '1970-01-01')"
    if expr.startswith("epoch("):
        return f"epoch(CAST({expr[6:-1]} AS TIMESTAMP))"
    return expr


_NUMERIC = frozenset({"amount", "amount_corporate", "fx_rate", "probability", "stage_order", "days_in_stage",
                      "quota_amount", "changed_epoch"})


_BATCH_ROWS = 1 << 20


class _Texts:
    """The distinct texts of one column, each one Python string, and the rows as codes into them (-1 for
    NULL). A daily pipeline table repeats a few thousand ids and names over millions of rows: an object
    column of shared strings takes 8 bytes a row, hands its values to numpy without a copy, and needs no
    Python string made per cell and per use, as pandas' Arrow-backed `str` columns do."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}

    def encode(self, column: pa.Array | pa.ChunkedArray) -> np.ndarray:
        encoded = pc.dictionary_encode(column.cast(pa.string()))
        if isinstance(encoded, pa.ChunkedArray):
            encoded = encoded.combine_chunks()
        table = self.codes
        local = np.fromiter((table.setdefault(t, len(table)) for t in encoded.dictionary.to_pylist()),
                            dtype=np.int64, count=len(encoded.dictionary))
        local = np.append(local, -1)  # a NULL row (index -1 after fill_null) picks the trailing -1
        return np.asarray(local[encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False)])

    def values(self, codes: np.ndarray) -> np.ndarray:
        """An object array of the rows' texts (None for NULL), equal texts being one object."""
        return np.asarray(np.asarray([*self.codes, None], dtype=object)[codes])  # -1 picks the trailing None

    def ranks(self, codes: np.ndarray) -> np.ndarray:
        """Per row, the rank of its text in sorted order (NULL after every text)."""
        texts = list(self.codes)
        rank = np.empty(len(texts) + 1, dtype=np.int64)
        rank[np.asarray(sorted(range(len(texts)), key=texts.__getitem__), dtype=np.int64)] = np.arange(len(texts))
        rank[-1] = len(texts)
        return np.asarray(rank[codes])


def _read(con: duckdb.DuckDBPyConnection, table: str, spec: dict[str, str],
          order: tuple[str, ...] = (), relation: str | None = None) -> pd.DataFrame:
    """Read marts.<table> (or `relation`, a table holding its columns) as a frame, `spec` naming each
    column's SQL expression, sorted by `order` (stable; missing values last).

    Rows are streamed in Arrow batches into preallocated arrays (numbers and day numbers as floats,
    texts as codes), and sorted here rather than by DuckDB, whose sort would hold its own copy: the
    table is never held twice, which matters for the daily pipeline (15 million rows on a large
    company). Texts become object columns of shared strings (see `_Texts`)."""
    relation = relation or f"marts.{table}"
    rows = int(con.execute(f"SELECT count(*) FROM {relation}").fetchall()[0][0])
    select = ", ".join(f"{_sql(expr)} AS {name}" for name, expr in spec.items())
    numeric = {name for name, expr in spec.items() if expr.startswith("day(") or name in _NUMERIC}
    kept = {name for name in spec if name == "mql_at"}  # read as it is (a timestamp)
    values: dict[str, np.ndarray] = {name: np.empty(rows, dtype="float64") for name in numeric}
    codes = {name: np.empty(rows, dtype=np.int64) for name in spec if name not in numeric and name not in kept}
    texts = {name: _Texts() for name in codes}
    pieces: dict[str, list[pa.Array]] = {name: [] for name in kept}
    reader = con.sql(f"SELECT {select} FROM {relation}").to_arrow_reader(_BATCH_ROWS)
    at = 0
    for batch in reader:
        n = batch.num_rows
        if at + n > rows:
            raise ForecastInputError(f"marts.{table} grew while the forecast read it; run the forecast again")
        for name in spec:
            column = batch.column(name)
            if name in values:
                values[name][at:at + n] = pd.to_numeric(column.to_pandas(), errors="coerce").to_numpy("float64")
            elif name in codes:
                codes[name][at:at + n] = texts[name].encode(column)
            else:
                pieces[name].append(column)
        at += n
    if at != rows:
        raise ForecastInputError(f"marts.{table} changed while the forecast read it; run the forecast again")
    stamps = {name: pa.chunked_array(parts, type=reader.schema.field(name).type).to_pandas()
              for name, parts in pieces.items()}
    if order:
        keys = [values[name] if name in values else texts[name].ranks(codes[name]) for name in order]
        positions = np.lexsort(keys[::-1])  # stable; the first name is the primary key, NaN sorts last
        del keys
        for arrays in (values, codes):  # one column at a time, so only one is ever held twice
            for name in arrays:
                arrays[name] = arrays[name][positions]
        stamps = {name: series.iloc[positions].reset_index(drop=True) for name, series in stamps.items()}
    columns: dict[str, object] = {}
    for name in spec:
        if name in values:
            columns[name] = values.pop(name)
        elif name in codes:
            columns[name] = pd.Series(texts[name].values(codes.pop(name)), dtype=object, copy=False)
        else:
            columns[name] = stamps[name]
    return pd.DataFrame(columns, index=pd.RangeIndex(rows), copy=False)


# What a deal's daily row is compared with its previous day's on, in a compact read: every column the
# forecast reads but the day and the days in stage (which grows by one a day without anything changing).
_TRACKED = ("source", "owner_rep_id", "team", "segment", "stage", "stage_order", "amount_corporate", "probability",
            "forecast_category", "expected_close_date", "created_date")
_COMPACT = "_forecast_pipeline_compact"
_COMPACT_MEMORY = "2GB"


def _compact_pipeline(con: duckdb.DuckDBPyConnection, extra_days: frozenset[int]) -> str:
    """A temporary table of the daily pipeline rows a compact read keeps; returns its name.

    A row is kept when its day is complete (`is_complete_day`), when it starts or ends a run of
    consecutive days of its deal, or when a tracked column differs from the deal's row of the day
    before. Every row left out is then equal, in what the forecast reads of it, to the kept row before
    it: the forecast's views of single days only read complete days, and its reads of day ranges (the
    pipeline waterfall) look for a deal's first and last rows with given values, which are kept."""
    key = ", ".join(f"{c} := {c}" for c in _TRACKED)
    days = ", ".join(f"DATE '{day_to_date(d).isoformat()}'" for d in sorted(extra_days)) or "NULL"
    # The window sorts the whole daily table: left to DuckDB's default (80 % of the machine) it holds
    # it in memory (9.3 GB for 15 million rows); within _COMPACT_MEMORY it spills to disk instead (2.3 GB,
    # 18 s instead of 13 s). The connection's own settings are put back afterwards.
    saved = {name: con.execute(f"SELECT current_setting('{name}')").fetchall()[0][0]
             for name in ("memory_limit", "preserve_insertion_order")}
    con.execute(f"SET memory_limit = '{_COMPACT_MEMORY}'")
    con.execute("SET preserve_insertion_order = false")
    try:
        _create_compact(con, key, days)
    except duckdb.OutOfMemoryException as error:
        raise ForecastInputError(
            f"reading marts.fct_pipeline_daily compact ran out of memory within {_COMPACT_MEMORY} and could not "
            f"spill to disk ({error}); free disk space in DuckDB's temp_directory or memory, then run again"
        ) from error
    finally:
        with duckdb.connect() as fresh:  # DuckDB's defaults here, to put a default back as it was
            default = fresh.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]
        if saved["memory_limit"] == default:
            con.execute("RESET memory_limit")
        else:  # shown (and so restored) to a tenth of its unit
            con.execute(f"SET memory_limit = '{saved['memory_limit']}'")
        con.execute(f"SET preserve_insertion_order = {str(saved['preserve_insertion_order']).lower()}")
    return f"temp.main.{_COMPACT}"


def _create_compact(con: duckdb.DuckDBPyConnection, key: str, days: str) -> None:
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {_COMPACT} AS
        WITH keyed AS (
            SELECT *, CAST(snapshot_date AS DATE) AS _d, struct_pack({key}) AS _key FROM marts.fct_pipeline_daily
        ), around AS (
            SELECT *, lag(_d) OVER w AS _prev_d, lead(_d) OVER w AS _next_d, lag(_key) OVER w AS _prev_key
            FROM keyed WINDOW w AS (PARTITION BY deal_id ORDER BY _d)
        )
        SELECT * EXCLUDE (_d, _key, _prev_d, _next_d, _prev_key) FROM around
        -- the complete days, as `is_complete_day` states them
        WHERE isodow(_d) = 1 OR dayofmonth(_d) = 1 OR _d IN ({days})
           OR _prev_d IS NULL OR _prev_d <> _d - 1 OR _next_d IS NULL OR _next_d <> _d + 1
           OR _key IS DISTINCT FROM _prev_key
    """)


def load_marts(con: duckdb.DuckDBPyConnection, complete_days: Iterable[date] | None = None) -> Marts:
    """Read the marts the forecast uses; raise ForecastInputError naming any missing table or column.

    With `complete_days` (the as-of day of a forecast), the daily pipeline is read compact: complete on
    those days, Mondays and first days of months, and elsewhere only the rows where a deal changed (see
    `_compact_pipeline`). `compute_forecast` gives the same tables either way; a compact read holds a
    fraction of a large company's daily rows (a deal's row repeats itself most days)."""
    problems: list[str] = []
    for table, spec in _REQUIRED.items():
        have = _columns(con, "marts", table)
        if not have:
            problems.append(f"marts.{table} does not exist")
            continue
        missing = sorted({_source_column(e) for e in spec.values()} - have)
        if missing:
            problems.append(f"marts.{table} lacks column(s) {', '.join(missing)}")
    if problems:
        raise ForecastInputError(
            "the forecast cannot read the warehouse: " + "; ".join(problems)
            + ". Build the dbt marts first (the columns are listed in docs/warehouse.md)."
        )
    extra = None if complete_days is None else frozenset(day_number(d) for d in complete_days)
    frames: dict[str, pd.DataFrame] = {}
    for table, spec in _REQUIRED.items():
        if table != "fct_pipeline_daily":
            frames[table] = _read(con, table, spec)
        elif extra is None:
            # The daily pipeline is read sorted by day and deal (how `pipeline_between` reads it).
            frames[table] = _read(con, table, spec, order=("day", "deal_id"))
        else:
            relation = _compact_pipeline(con, extra)
            try:
                frames[table] = _read(con, table, spec, order=("day", "deal_id"), relation=relation)
            finally:
                con.execute(f"DROP TABLE IF EXISTS {relation}")
    accounts_spec = _OPTIONAL["dim_accounts"]
    if set(accounts_spec.values()) <= _columns(con, "marts", "dim_accounts"):
        accounts = _read(con, "dim_accounts", accounts_spec)
    else:
        # Without dim_accounts, an account's segment is the one its deals carry.
        accounts = frames["fct_deals"][["account_id", "segment"]].dropna().drop_duplicates("account_id")
    deals = frames["fct_deals"]
    deals["status"] = deals["status"].map(normalise_status)
    pipeline = frames["fct_pipeline_daily"]
    changes = frames["fct_deal_changes"]
    changes["field"] = changes["field"].map(lambda s: "" if pd.isna(s) else str(s).lower())
    changes = changes.sort_values(["deal_id", "changed_epoch"], kind="stable").reset_index(drop=True)
    is_status = (changes["field"] == "status").to_numpy()
    changes["new_status"] = np.where(is_status, changes["new_value"].map(normalise_status), None)
    reps = frames["dim_reps"]
    for col in ("email", "manager_email"):
        # A missing manager stays missing (not the text "nan": that made a manager scope of its own).
        reps[col] = reps[col].map(lambda s: None if pd.isna(s) else str(s).strip().lower())
    return Marts(
        deals=deals.reset_index(drop=True),
        pipeline=pipeline,
        stage_events=frames["fct_deal_stage_events"],
        changes=changes,
        activities=frames["fct_activities"],
        leads=frames["fct_lead_funnel"],
        reps=reps,
        quotas=frames["fct_quotas"],
        accounts=accounts,
        compact_days=extra,
    )

