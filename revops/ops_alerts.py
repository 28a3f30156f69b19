"""Operational alerts (failed runs, failed blocking checks, stale sources) through the KPI alert channels."""

from __future__ import annotations

from revops.config import RevopsConfig


def send_run_failure(cfg: RevopsConfig, *, job: str, run_id: str, error: str) -> None:
    import duckdb

    from revops.alerts import AlertsConfig, send_ops_alert
    from revops.env import load_env

    config = AlertsConfig.model_validate(
        {"fiscal_year_start_month": cfg.company.fiscal_year_start_month, **cfg.alerts})
    with duckdb.connect(str(cfg.warehouse_path)) as con:
        send_ops_alert(con, config, title=f"Run failed: {job}",
                       detail=f"Run {run_id} of job {job} failed: {error[:1000]}. Open the Dagster UI, run "
                              "`revops status` and `revops doctor` to see which source or step failed.",
                       env=load_env(cfg.base_dir / ".env"))
