"""Write the review reports: one self-contained HTML page and one Markdown summary per kind."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from revops.config import RevopsConfig
from revops.reports.numbers import history as forecast_history
from revops.reports.numbers import weekly as weekly_numbers
from revops.reports.pages import monthly, quarterly, team_health, weekly
from revops.reports.pages.common import Context, Rendered
from revops.reports.source import Warehouse, as_date, open_report_source

KINDS = ("weekly", "monthly", "quarterly", "team_health")
# The forecast tables keep only the latest forecast. The serving copy keeps every published one
# (meta.forecast_history); the weekly report also logs each week's beside itself, so an installation
# that reads the working warehouse can still show how the forecast moved.
FORECAST_HISTORY = weekly_numbers.FORECAST_LOG_NAME
HISTORY_KEY = ["as_of_date", "period_start", "method"]


def _atomic_write(path: Path, content: str) -> None:
    # Readers (a browser, the Dagster UI) see the previous file or the new one, never half of it.
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    tmp.write_text(content, encoding="utf-8")
    os.replace(tmp, path)


def read_forecast_history(out_dir: Path) -> pd.DataFrame | None:
    """The forecast log kept beside the weekly report (None before the first weekly report)."""
    path = out_dir / FORECAST_HISTORY
    if not path.exists():
        return None
    frame = pd.read_csv(path)
    for col in ("as_of_date", "period_start"):
        frame[col] = [as_date(v) for v in frame[col]]
    return frame


def _log_forecast(out_dir: Path, history: pd.DataFrame | None, adjusted: dict[str, Any] | None) -> None:
    if adjusted is None:
        return
    rows = weekly_numbers.history_rows(adjusted)
    if not len(rows):
        return
    frames = [f for f in (history, rows) if f is not None and len(f)]
    merged = pd.concat(frames, ignore_index=True).drop_duplicates(HISTORY_KEY, keep="last")
    merged = merged.sort_values(HISTORY_KEY)
    _atomic_write(out_dir / FORECAST_HISTORY, merged.to_csv(index=False))


def _builders(out_dir: Path) -> dict[str, Callable[[Context], Rendered]]:
    def build_weekly(ctx: Context) -> Rendered:
        logged = read_forecast_history(out_dir)
        history = forecast_history.combine(forecast_history.from_serving(ctx.wh), logged)
        rendered, numbers = weekly.build(ctx, history)
        _log_forecast(out_dir, logged, numbers["adjusted"])
        return rendered

    return {
        "weekly": build_weekly,
        "monthly": monthly.build,
        "quarterly": quarterly.build,
        "team_health": team_health.build,
    }


def render_report(
    wh: Warehouse, kind: str, *, as_of: date, config: RevopsConfig, history: pd.DataFrame | None = None
) -> Rendered:
    """One report in memory (HTML and Markdown), without writing anything. The weekly report compares
    with the serving copy's forecast history and `history` (rows as in the weekly report's log)."""
    ctx = Context(wh=wh, as_of=as_of, config=config)
    if kind == "weekly":
        return weekly.build(ctx, forecast_history.combine(forecast_history.from_serving(wh), history))[0]
    builders = {"monthly": monthly.build, "quarterly": quarterly.build, "team_health": team_health.build}
    if kind not in builders:
        raise ValueError(f"unknown report kind {kind!r}; allowed: {', '.join(KINDS)}")
    return builders[kind](ctx)


def write_reports(
    warehouse: Path,
    out_dir: Path,
    *,
    as_of: date,
    config: RevopsConfig,
    kinds: Sequence[str] | None = None,
    serving: Path | None = None,
) -> list[Path]:
    """Write `<kind>.html` and `<kind>.md` into `out_dir` for each kind (all when None) as of `as_of`;
    returns the HTML paths in the order of `kinds`. The numbers come from the serving copy `serving`
    when that file exists, else from the working warehouse `warehouse`; each page's footer says which
    file was read (and when the copy was published). Sections whose tables do not exist say so in the
    page instead of failing."""
    chosen = list(KINDS if kinds is None else kinds)
    unknown = [k for k in chosen if k not in KINDS]
    if unknown:
        raise ValueError(
            f"reports: unknown kind(s) {', '.join(map(repr, unknown))}; allowed: {', '.join(KINDS)}"
        )
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    builders = _builders(out_dir)
    paths: list[Path] = []
    with open_report_source(Path(warehouse), None if serving is None else Path(serving)) as wh:
        for kind in chosen:
            rendered = builders[kind](Context(wh=wh, as_of=as_of, config=config))
            html_path = out_dir / f"{kind}.html"
            _atomic_write(html_path, rendered.html)
            _atomic_write(out_dir / f"{kind}.md", rendered.markdown)
            paths.append(html_path)
    return paths
