"""Operational alerts (failed runs, failed blocking checks, stale sources) through the KPI alert channels.

A run can fail because the warehouse is locked by another run or cannot be written. The alert is sent
first, without the warehouse; logging it to ops.alert_events then waits a little for the lock, and
when the warehouse still cannot take it, the event is kept in `<data_dir>/ops/alert_spool.jsonl` and
moved into the log by the next run that evaluates alerts (or the next failure alert)."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING

from revops.config import RevopsConfig

if TYPE_CHECKING:
    import duckdb

    from revops.alerts.events import AlertEvent

logger = logging.getLogger(__name__)
LOCK_WAITS_S = (0.5, 1.0, 2.0, 4.0)  # how long to wait for a locked warehouse before spooling


def spool_path(cfg: RevopsConfig) -> Path:
    return cfg.data_dir / "ops" / "alert_spool.jsonl"


def send_run_failure(cfg: RevopsConfig, *, job: str, run_id: str, error: str) -> str:
    """Send the failure alert and log it; returns where it was logged (`warehouse` or the spool path)."""
    from revops.alerts import AlertsConfig
    from revops.alerts.engine import deliver_ops_alert
    from revops.env import load_env

    config = AlertsConfig.model_validate(
        {"fiscal_year_start_month": cfg.company.fiscal_year_start_month, **cfg.alerts})
    event = deliver_ops_alert(
        config, title=f"Run failed: {job}",
        detail=f"Run {run_id} of job {job} failed: {error[:1000]}. Open the Dagster UI, run "
               "`revops status` and `revops doctor` to see which source or step failed.",
        env=load_env(cfg.base_dir / ".env"))
    return log_ops_events(cfg, [event], waits=LOCK_WAITS_S)


def log_ops_events(cfg: RevopsConfig, events: list[AlertEvent], waits: tuple[float, ...] = LOCK_WAITS_S) -> str:
    """Log events in ops.alert_events (with any spooled before), or spool them when the warehouse
    cannot take them after `waits`."""
    import duckdb

    from revops.alerts import log as alert_log

    spool = spool_path(cfg)
    error: Exception | None = None
    for wait in (*waits, None):
        try:
            with duckdb.connect(str(cfg.warehouse_path)) as con:
                alert_log.ensure_table(con)
                flushed = alert_log.flush_spool(con, spool)
                alert_log.append(con, events)
            if flushed:
                logger.info("ops alerts: %d spooled event(s) moved from %s into ops.alert_events", flushed, spool)
            return "warehouse"
        except (duckdb.Error, OSError) as exc:
            error = exc
            if wait is None:
                break
            time.sleep(wait)
    alert_log.spool(spool, events)
    logger.warning("ops alerts: the warehouse %s could not log %d alert(s) (%s); kept in %s, logged by the next "
                   "run that evaluates alerts", cfg.warehouse_path, len(events),
                   str(error).splitlines()[0] if error else "", spool)
    return str(spool)


def flush_spooled(cfg: RevopsConfig, con: duckdb.DuckDBPyConnection) -> int:
    """Move spooled ops alerts into ops.alert_events on an open warehouse connection."""
    from revops.alerts import log as alert_log

    return alert_log.flush_spool(con, spool_path(cfg))
