"""Jobs, schedules and sensors: the reporting cadence of a sales organisation.

- hourly incremental sync of every source;
- nightly build: dbt models and tests, Python marts, alerts, serving copy;
- weekly pipeline review (Monday), monthly results against objectives (1st of the month), quarterly
  review with next-quarter projection (1st day of each fiscal quarter);
- a run-failure sensor that alerts through the configured channels.
Cron expressions come from `revops.yml` (schedules:), and all schedules are on by default."""

from datetime import date

import dagster as dg

from revops.config import RevopsConfig

SYNC = dg.AssetSelection.groups("ingest_salesforce", "ingest_hubspot", "ingest_pipedrive", "ingest_files")
BUILD = (dg.AssetSelection.groups("warehouse_staging", "warehouse_intermediate", "warehouse_marts", "kpi",
                                   "warehouse", "forecast", "team_health", "alerts", "serving"))

RETRY = dg.RetryPolicy(max_retries=3, delay=30, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)

sync_job = dg.define_asset_job("hourly_sync", selection=SYNC, op_retry_policy=RETRY,
                               description="Incremental sync of every enabled source.",
                               tags={"revops/writes_warehouse": "true"})
build_job = dg.define_asset_job("nightly_build", selection=BUILD, op_retry_policy=RETRY,
                                description="dbt build, Python marts, alerts and the serving copy.",
                                tags={"revops/writes_warehouse": "true"})
full_job = dg.define_asset_job("full_refresh_pipeline", selection=SYNC | BUILD,
                               description="Everything, end to end.", tags={"revops/writes_warehouse": "true"})
weekly_job = dg.define_asset_job("weekly_pipeline_review", selection=dg.AssetSelection.assets(["reports", "weekly_report"]))
monthly_job = dg.define_asset_job("monthly_results_review", selection=dg.AssetSelection.assets(["reports", "monthly_report"], ["reports", "team_health_report"]))
quarterly_job = dg.define_asset_job("quarterly_review", selection=dg.AssetSelection.assets(["reports", "quarterly_report"]))

JOBS = [sync_job, build_job, full_job, weekly_job, monthly_job, quarterly_job]


def is_fiscal_quarter_start(day: date, fiscal_year_start_month: int) -> bool:
    return day.day == 1 and (day.month - fiscal_year_start_month) % 3 == 0


def schedules(cfg: RevopsConfig) -> list[dg.ScheduleDefinition]:
    s = cfg.schedules
    status = dg.DefaultScheduleStatus.RUNNING if s.enabled else dg.DefaultScheduleStatus.STOPPED
    fy = cfg.company.fiscal_year_start_month

    @dg.schedule(job=quarterly_job, cron_schedule=s.monthly_report_cron, execution_timezone=s.timezone,
                 default_status=status, name="quarterly_review_schedule",
                 description="First day of each fiscal quarter: quarterly review with next-quarter projection.")
    def quarterly(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
        day = context.scheduled_execution_time.date()
        if not is_fiscal_quarter_start(day, fy):
            return dg.SkipReason(f"{day} is not the first day of a fiscal quarter")
        return dg.RunRequest(run_key=f"quarterly-{day}")

    return [
        dg.ScheduleDefinition(name="hourly_sync_schedule", job=sync_job, cron_schedule=s.sync_cron,
                              execution_timezone=s.timezone, default_status=status),
        dg.ScheduleDefinition(name="nightly_build_schedule", job=build_job, cron_schedule=s.build_cron,
                              execution_timezone=s.timezone, default_status=status),
        dg.ScheduleDefinition(name="weekly_pipeline_review_schedule", job=weekly_job,
                              cron_schedule=s.weekly_report_cron, execution_timezone=s.timezone, default_status=status),
        dg.ScheduleDefinition(name="monthly_results_review_schedule", job=monthly_job,
                              cron_schedule=s.monthly_report_cron, execution_timezone=s.timezone, default_status=status),
        quarterly,
    ]


def failure_sensor(config_path: str) -> dg.SensorDefinition:
    @dg.run_failure_sensor(name="alert_on_run_failure", default_status=dg.DefaultSensorStatus.RUNNING,
                           description="Any failed run (sync, build, marts) alerts through the configured channels.")
    def _sensor(context: dg.RunFailureSensorContext) -> None:
        from revops.config import load_config
        from revops.ops_alerts import send_run_failure

        cfg = load_config(config_path)
        send_run_failure(cfg, job=context.dagster_run.job_name, run_id=context.dagster_run.run_id,
                         error=context.failure_event.message or "")

    return _sensor
