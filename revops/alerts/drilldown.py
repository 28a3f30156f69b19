"""Drill-down for an alert: SQL a reader can paste into the warehouse, and an optional BI link.

The SQL always contains the KPI's recent history for the scope with its target and status; for
KPIs computed from deals or activities it adds the records behind the value in the period. Values
are embedded as quoted literals (the text is meant to be read and run by hand, not executed here).
"""

from __future__ import annotations

from datetime import date
from urllib.parse import quote

from revops.alerts.periods import period_end

HISTORY_PERIODS = 26

# KPI -> (table, date column, extra condition) for the records behind the value
_DEAL_CREATED = ("marts.fct_deals", "created_date", None)
_DEAL_CLOSED = ("marts.fct_deals", "closed_date", "status in ('won', 'lost')")
_DEAL_WON = ("marts.fct_deals", "closed_date", "status = 'won'")
_RECORDS: dict[str, tuple[str, str, str | None]] = {
    "opportunities_created": _DEAL_CREATED,
    "opportunities_created_amount": _DEAL_CREATED,
    "win_rate_count": _DEAL_CLOSED,
    "win_rate_value": _DEAL_CLOSED,
    "won_amount": _DEAL_WON,
    "average_deal_size": _DEAL_WON,
    "sales_cycle_days_mean": _DEAL_WON,
    "sales_cycle_days_median": _DEAL_WON,
}
_ACTIVITY_TYPES = ("call", "meeting", "email", "proposal_sent", "task", "note")


def literal(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def history_sql(kpi: str, grain: str, scope_type: str, scope_id: str, period_start: date) -> str:
    """The KPI series for the scope up to the alert's period, with target and status."""
    return (
        "select v.period_start, v.period_end, v.value, v.numerator, v.denominator,\n"
        "       v.is_small_sample, t.target, t.gap, t.status\n"
        "from kpi.kpi_values as v\n"
        "left join kpi.kpi_tracking as t\n"
        "  on t.kpi = v.kpi and t.grain = v.grain and t.scope_type = v.scope_type\n"
        "  and t.scope_id = v.scope_id and t.period_start = v.period_start\n"
        f"where v.kpi = {literal(kpi)} and v.grain = {literal(grain)}\n"
        f"  and v.scope_type = {literal(scope_type)} and v.scope_id = {literal(scope_id)}\n"
        f"  and v.period_start <= date {literal(period_start.isoformat())}\n"
        "order by v.period_start desc\n"
        f"limit {HISTORY_PERIODS}"
    )


def _deal_scope(scope_type: str, scope_id: str) -> str | None:
    sid = literal(scope_id)
    return {
        "company": None,
        "team": f"team = {sid}",
        "segment": f"segment = {sid}",
        "source": f"source = {sid}",
        "rep": f"lower(owner_email) = {sid}",
        "manager": "owner_rep_id in (select rep_id from marts.dim_reps "
                   f"where lower(manager_email) = {sid})",
    }.get(scope_type, "false")


def _activity_scope(scope_type: str, scope_id: str) -> str | None:
    sid = literal(scope_id)
    return {
        "company": None,
        "source": f"source = {sid}",
        "team": f"rep_id in (select rep_id from marts.dim_reps where team = {sid})",
        "rep": f"rep_id in (select rep_id from marts.dim_reps where lower(email) = {sid})",
        "manager": f"rep_id in (select rep_id from marts.dim_reps where lower(manager_email) = {sid})",
        "segment": f"account_id in (select account_id from marts.dim_accounts where segment = {sid})",
    }.get(scope_type, "false")


def records_sql(kpi: str, grain: str, scope_type: str, scope_id: str,
                period_start: date) -> str | None:
    """The deals or activities behind the value, or None for KPIs without a simple record list."""
    start, end = literal(period_start.isoformat()), literal(period_end(grain, period_start).isoformat())
    if kpi in _RECORDS:
        table, column, extra = _RECORDS[kpi]
        conditions = [extra, _deal_scope(scope_type, scope_id)]
        select = ("select deal_id, deal_name, owner_email, team, segment, stage, status, "
                  "amount_corporate, created_date, closed_date")
    elif kpi.startswith("activities_") and kpi.removeprefix("activities_") in _ACTIVITY_TYPES:
        table, column = "marts.fct_activities", "activity_date"
        conditions = [f"activity_type = {literal(kpi.removeprefix('activities_'))}",
                      _activity_scope(scope_type, scope_id)]
        select = "select activity_id, activity_type, occurred_at, rep_id, deal_id, account_id, subject"
    else:
        return None
    where = [f"{column} >= date {start}", f"{column} < date {end}",
             *(c for c in conditions if c is not None)]
    return f"{select}\nfrom {table}\nwhere " + "\n  and ".join(where) + f"\norder by {column}"


def drilldown_sql(kpi: str, grain: str, scope_type: str, scope_id: str, period_start: date) -> str:
    """History query, then (when available) the records query, as one commented SQL text."""
    parts = [f"-- {kpi}: history for {scope_type} {scope_id}\n"
             + history_sql(kpi, grain, scope_type, scope_id, period_start) + ";"]
    records = records_sql(kpi, grain, scope_type, scope_id, period_start)
    if records:
        parts.append(f"-- records behind the value of the period starting {period_start}\n"
                     + records + ";")
    return "\n\n".join(parts)


def link(template: str | None, **fields: object) -> str | None:
    """The configured link template filled with URL-encoded values, or None without a template."""
    if template is None:
        return None
    return template.format(**{k: quote(str(v), safe="") for k, v in fields.items()})
