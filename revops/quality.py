"""Data-quality suites (Great Expectations) on the raw landing tables.

Each suite checks one landed table: keys present and unique, amounts non-negative, dates that parse
and are plausible, stages and types in the known sets, currencies known. `critical` expectations
block the downstream build when they fail; the others warn. Results go to `ops.check_results` and
surface as Dagster asset checks."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

log = logging.getLogger(__name__)
# Great Expectations logs every ephemeral context it creates at INFO; the results are what matter here.
logging.getLogger("great_expectations").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Expect:
    """One expectation on one column."""

    kind: str  # not_null, unique, min, in_set, date_range, in_table
    column: str
    critical: bool = False
    arg: Any = None  # min value, set name, or (schema, table, column)


@dataclass(frozen=True)
class Suite:
    schema: str
    table: str
    expectations: list[Expect] = field(default_factory=list)

    @property
    def asset(self) -> str:
        return f"{self.schema}.{self.table}"


def _ids(schema: str, table: str, key: str = "id", extra: list[Expect] | None = None) -> Suite:
    return Suite(schema, table, [Expect("not_null", key, True), Expect("unique", key, True), *(extra or [])])


SUITES: list[Suite] = [
    _ids("raw_salesforce", "opportunity", extra=[
        Expect("min", "amount", arg=0), Expect("date_range", "close_date"),
        Expect("in_set", "stage_name", True, "salesforce_stages"),
        Expect("in_set", "currency_iso_code", False, "currencies")]),
    _ids("raw_salesforce", "account"), _ids("raw_salesforce", "user"), _ids("raw_salesforce", "contact"),
    _ids("raw_salesforce", "lead"), _ids("raw_salesforce", "task"), _ids("raw_salesforce", "event"),
    _ids("raw_salesforce", "opportunity_history", extra=[Expect("not_null", "opportunity_id", True),
                                                        Expect("date_range", "created_date")]),
    _ids("raw_hubspot", "deals", extra=[
        Expect("min", "amount", arg=0), Expect("date_range", "closedate"),
        Expect("in_set", "dealstage", True, "hubspot_stages"),
        Expect("in_set", "deal_currency_code", False, "currencies")]),
    _ids("raw_hubspot", "companies"), _ids("raw_hubspot", "contacts"), _ids("raw_hubspot", "owners"),
    _ids("raw_hubspot", "calls"), _ids("raw_hubspot", "meetings"), _ids("raw_hubspot", "emails"),
    _ids("raw_pipedrive", "deals", extra=[
        Expect("min", "value", arg=0), Expect("date_range", "expected_close_date"),
        Expect("in_table", "stage_id", True, ("raw_pipedrive", "stages", "id")),
        Expect("in_set", "currency", False, "currencies")]),
    _ids("raw_pipedrive", "persons"), _ids("raw_pipedrive", "organizations"),
    _ids("raw_pipedrive", "activities"), _ids("raw_pipedrive", "users"), _ids("raw_pipedrive", "stages"),
    Suite("raw_inputs", "exchange_rates", [
        Expect("not_null", "rate_date", True), Expect("not_null", "currency", True),
        Expect("min", "rate_to_corporate", True, 1e-9)]),
    Suite("raw_inputs", "quotas", [Expect("not_null", "rep_email", True), Expect("min", "quota_amount", arg=0)]),
    Suite("raw_inputs", "hr_roster", [Expect("not_null", "employee_id", True), Expect("unique", "employee_id", True),
                                      Expect("not_null", "email", True)]),
]


def suites_for(schema: str | None = None) -> list[Suite]:
    return [s for s in SUITES if schema is None or s.schema == schema]


def _sets(con: duckdb.DuckDBPyConnection, config: Any) -> dict[str, list[Any]]:
    mapping = config.stage_mapping_rows() if config is not None else []
    out: dict[str, list[Any]] = {
        f"{s}_stages": sorted({r["source_stage"] for r in mapping if r["source"] == s})
        for s in ("salesforce", "hubspot", "pipedrive")
    }
    currencies = {config.company.corporate_currency} if config is not None else set()
    try:
        currencies |= {r[0] for r in con.execute("select distinct currency from raw_inputs.exchange_rates").fetchall()}
    except duckdb.Error:
        pass
    out["currencies"] = sorted(currencies)
    return out


def _frame(con: duckdb.DuckDBPyConnection, suite: Suite) -> tuple[pd.DataFrame | None, list[str]]:
    cols = {r[0] for r in con.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
        [suite.schema, suite.table]).fetchall()}
    if not cols:
        return None, []
    wanted = sorted({e.column for e in suite.expectations} & cols)
    where = "where not coalesce(is_deleted, false)" if "is_deleted" in cols else ""
    select = ", ".join(f'"{c}"' for c in wanted) or "1 as _one"
    return con.execute(f'select {select} from {suite.schema}."{suite.table}" {where}').df(), sorted(cols)


def run_suite(con: duckdb.DuckDBPyConnection, suite: Suite, sets: dict[str, list[Any]],
              today: date | None = None) -> list[dict[str, Any]]:
    """Validate one table; one result per expectation (a missing table or column is a failure)."""
    import great_expectations as gx

    # GE sets its own loggers up when imported; quiet them after that (INFO on every ephemeral context)
    for name in ("great_expectations", "great_expectations.data_context.types.base"):
        logging.getLogger(name).setLevel(logging.WARNING)
    today = today or date.today()
    frame, cols = _frame(con, suite)
    checked_at = datetime.now(UTC)
    results: list[dict[str, Any]] = []

    def result(e: Expect, passed: bool, description: str, meta: dict[str, Any] | None = None) -> None:
        results.append({"checked_at": checked_at, "check_name": f"{e.kind}:{e.column}", "asset": suite.asset,
                        "passed": passed, "severity": "critical" if e.critical else "warn",
                        "description": description, "metadata": json.dumps(meta or {}, default=str)})

    if frame is None:
        for e in suite.expectations:
            result(e, False, f"{suite.asset} does not exist: the source has not been synced, or the object "
                   "is not available to the connector's user")
        return results
    ctx = gx.get_context(mode="ephemeral")
    try:
        ctx.variables.progress_bars = gx.data_context.types.base.ProgressBarsConfig(globally=False)
    except Exception:  # noqa: BLE001 - cosmetic only
        pass
    batch = (ctx.data_sources.add_pandas("landing").add_dataframe_asset(suite.table)
             .add_batch_definition_whole_dataframe("all").get_batch(batch_parameters={"dataframe": frame}))
    for e in suite.expectations:
        if e.column not in cols:
            result(e, False, f"{suite.asset}: column {e.column} is missing (schema drift or a field removed "
                   "in the CRM); the warehouse models that use it will be empty")
            continue
        if e.kind == "not_null":
            exp = gx.expectations.ExpectColumnValuesToNotBeNull(column=e.column)
            what = "is never empty"
        elif e.kind == "unique":
            exp = gx.expectations.ExpectColumnValuesToBeUnique(column=e.column)
            what = "is unique"
        elif e.kind == "min":
            exp = gx.expectations.ExpectColumnValuesToBeBetween(column=e.column, min_value=e.arg)
            what = f"is at least {e.arg}"
        elif e.kind == "date_range":
            frame[e.column] = pd.to_datetime(frame[e.column], errors="coerce", utc=True).dt.tz_localize(None)
            batch = (ctx.data_sources.add_pandas(f"landing_{e.column}").add_dataframe_asset(suite.table)
                     .add_batch_definition_whole_dataframe("all").get_batch(batch_parameters={"dataframe": frame}))
            exp = gx.expectations.ExpectColumnValuesToBeBetween(
                column=e.column, min_value=datetime(2000, 1, 1),
                max_value=datetime.combine(today + timedelta(days=5 * 366), datetime.min.time()))
            what = "parses as a date between 2000 and five years from now"
        elif e.kind == "in_set":
            allowed = sets.get(e.arg, [])
            exp = gx.expectations.ExpectColumnValuesToBeInSet(column=e.column, value_set=allowed)
            what = f"is one of the known values ({', '.join(map(str, allowed[:12]))})"
        elif e.kind == "in_table":
            schema, table, col = e.arg
            try:
                allowed = [r[0] for r in con.execute(f'select distinct "{col}" from {schema}."{table}"').fetchall()]
            except duckdb.Error:
                allowed = []
            exp = gx.expectations.ExpectColumnValuesToBeInSet(column=e.column, value_set=allowed)
            what = f"exists in {schema}.{table}.{col}"
        else:
            raise ValueError(e.kind)
        res = batch.validate(exp)
        unexpected = res.result.get("unexpected_count", 0) or 0
        sample = [v for v in (res.result.get("partial_unexpected_list") or [])][:5]
        if res.success:
            result(e, True, f"{suite.asset}.{e.column} {what}", {"rows": len(frame)})
        else:
            result(e, False, f"{suite.asset}.{e.column}: {unexpected} row(s) fail — expected it {what}; "
                   f"examples: {sample}", {"rows": len(frame), "unexpected": unexpected, "examples": sample})
    return results


def run_checks(warehouse: Path, config: Any = None, *, schemas: list[str] | None = None,
               progress: Callable[[str], None] | None = None) -> list[dict[str, Any]]:
    """Run every suite whose source is enabled; record results in ops.check_results."""
    from connectors.runner import ensure_ops

    enabled = {"raw_inputs"} | ({f"raw_{s}" for s in config.sources.enabled_crms()} if config is not None
                                else {"raw_salesforce", "raw_hubspot", "raw_pipedrive"})
    out: list[dict[str, Any]] = []
    with duckdb.connect(str(warehouse)) as con:
        ensure_ops(con)
        sets = _sets(con, config)
        for suite in SUITES:
            if suite.schema not in enabled or (schemas and suite.schema not in schemas):
                continue
            out.extend(run_suite(con, suite, sets))
        if out:
            frame = pd.DataFrame(out)  # noqa: F841 - used in SQL
            con.execute("insert into ops.check_results select checked_at, check_name, asset, passed, severity, "
                        "description, metadata from frame")
    failed = [r for r in out if not r["passed"]]
    if progress:
        progress(f"checks: {len(out)} expectations on {len({r['asset'] for r in out})} tables, "
                 f"{len(failed)} failed ({sum(r['severity'] == 'critical' for r in failed)} critical)")
    return out
