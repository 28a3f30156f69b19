"""Review reports for sales management, written from the warehouse as self-contained HTML pages (inline
CSS, charts embedded as PNG data URIs) with a short Markdown summary each:

- `weekly`: pipeline review with the team: pipeline created, deals in negotiation, forecast adjusted,
  the quarter's pipeline waterfall;
- `monthly`: results against objectives (tracking table with corrective actions), best practices from
  the top movers, KPI trends;
- `quarterly`: last quarter against targets, forecast range of the current and next quarter, forecast
  accuracy history, next quarter's pipeline coverage;
- `team_health`: headcount, voluntary turnover, absenteeism, eNPS, ramp, manager impact.

Entry point: `write_reports(warehouse, out_dir, as_of=..., config=..., kinds=..., serving=...)`: the
reports read the serving copy `serving` when it exists (so a report run never contends with a sync for
the working warehouse), else the working warehouse, and each footer names the file read. The numbers of
each report come from `revops.reports.numbers.<kind>` (pure reads of the warehouse)."""

from revops.reports.source import Origin, TableMissing, Warehouse, open_report_source, open_warehouse
from revops.reports.writer import FORECAST_HISTORY, KINDS, render_report, write_reports

__all__ = [
    "FORECAST_HISTORY",
    "KINDS",
    "Origin",
    "TableMissing",
    "Warehouse",
    "open_report_source",
    "open_warehouse",
    "render_report",
    "write_reports",
]
