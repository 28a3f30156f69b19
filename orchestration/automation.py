"""Jobs, schedules and sensors: the reporting cadence of a sales organisation.

- hourly incremental sync of every enabled source and the input files;
- nightly build: dbt models and tests, Python marts, alerts, serving copy;
- weekly pipeline review (Monday), monthly results against objectives (1st of the month), quarterly
  review with the next-quarter projection (1st day of each fiscal quarter);
- a run-failure sensor that alerts through the configured channels.

Cron expressions and the timezone come from `revops.yml` (`schedules:`); the schedules run by default
unless `schedules.enabled` is false."""

from datetime import date

import dagster as dg

from revops.config import RevopsConfig

SYNC_GROUPS = ("ingest_salesforce", "ingest_hubspot", "ingest_pipedrive", "ingest_inputs")
BUILD_GROUPS = ("warehouse_staging", "warehouse_intermediate", "warehouse_marts", "kpi", "forecast", "team_health",
                "alerts", "serving")
SYNC = dg.AssetSelection.groups(*SYNC_GROUPS)
BUILD = dg.AssetSelection.groups(*BUILD_GROUPS)
REPORTS = dg.AssetSelection.groups("reports")

# Every job opens the DuckDB warehouse, which takes one writer at a time: dagster.yaml limits runs with
# this tag to one at a time, so scheduled runs queue instead of waiting inside a started run.
WAREHOUSE_TAGS = {"revops/warehouse": "exclusive"}


def _report(*kinds: str) -> dg.AssetSelection:
    return dg.AssetSelection.assets(*(["reports", f"{k}_report"] for k in kinds))


sync_job = dg.define_asset_job("hourly_sync", selection=SYNC, tags=WAREHOUSE_TAGS,
                               description="Incremental sync of every enabled source and the input files.")
build_job = dg.define_asset_job("nightly_build", selection=BUILD, tags=WAREHOUSE_TAGS,
                                description="dbt build (models and tests), Python marts, alerts, serving copy.")
end_to_end_job = dg.define_asset_job("end_to_end", selection=SYNC | BUILD | REPORTS, tags=WAREHOUSE_TAGS,
                                     description="Everything in lineage order: sync, dbt, marts, alerts, serving "
                                                 "copy, reports.")
weekly_job = dg.define_asset_job("weekly_pipeline_review", selection=_report("weekly"), tags=WAREHOUSE_TAGS,
                                 description="Weekly pipeline review report.")
monthly_job = dg.define_asset_job("monthly_results_review", selection=_report("monthly", "team_health"),
                                  tags=WAREHOUSE_TAGS,
                                  description="Monthly results against objectives and the team-health report.")
quarterly_job = dg.define_asset_job("quarterly_review", selection=_report("quarterly"), tags=WAREHOUSE_TAGS,
                                    description="Quarterly review with the next-quarter projection.")

JOBS = [sync_job, build_job, end_to_end_job, weekly_job, monthly_job, quarterly_job]


def is_fiscal_quarter_start(day: date, fiscal_year_start_month: int) -> bool:
    """True on the first day of a fiscal quarter (fiscal year starting on the 1st of the given month)."""
    return day.day == 1 and (day.month - fiscal_year_start_month) % 3 == 0


def schedule_timezone(cfg: RevopsConfig) -> str:
    """`schedules.timezone` when set in revops.yml, else the company's timezone."""
    s = cfg.schedules
    return s.timezone if "timezone" in s.model_fields_set else cfg.company.timezone


def schedules(cfg: RevopsConfig) -> list[dg.ScheduleDefinition]:
    """The five schedules, with cron expressions and timezone from the configuration."""
    s = cfg.schedules
    tz = schedule_timezone(cfg)
    status = dg.DefaultScheduleStatus.RUNNING if s.enabled else dg.DefaultScheduleStatus.STOPPED
    fiscal_start = cfg.company.fiscal_year_start_month

    @dg.schedule(job=quarterly_job, cron_schedule=s.quarterly_report_cron, execution_timezone=tz,
                 default_status=status, name="quarterly_review_schedule",
                 description="Quarterly review with next-quarter projection, on the first day of each fiscal "
                             "quarter (the cron fires monthly; other months skip).")
    def quarterly(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
        day = context.scheduled_execution_time.date()
        if not is_fiscal_quarter_start(day, fiscal_start):
            return dg.SkipReason(f"{day} is not the first day of a fiscal quarter (fiscal year starts in month "
                                 f"{fiscal_start})")
        return dg.RunRequest(run_key=f"quarterly-{day.isoformat()}")

    return [
        dg.ScheduleDefinition(name="hourly_sync_schedule", job=sync_job, cron_schedule=s.sync_cron,
                              execution_timezone=tz, default_status=status),
        dg.ScheduleDefinition(name="nightly_build_schedule", job=build_job, cron_schedule=s.build_cron,
                              execution_timezone=tz, default_status=status),
        dg.ScheduleDefinition(name="weekly_pipeline_review_schedule", job=weekly_job,
                              cron_schedule=s.weekly_report_cron, execution_timezone=tz, default_status=status),
        dg.ScheduleDefinition(name="monthly_results_review_schedule", job=monthly_job,
                              cron_schedule=s.monthly_report_cron, execution_timezone=tz, default_status=status),
        quarterly,
    ]


def failure_sensor(config_path: str) -> dg.SensorDefinition:
    """Any failed run (sync, build, marts, reports) alerts through the configured channels."""

    @dg.run_failure_sensor(name="alert_on_run_failure", default_status=dg.DefaultSensorStatus.RUNNING,
                           description="Any failed run alerts through the configured channels (alerts.channels "
                                       "in revops.yml).")
    def alert_on_run_failure(context: dg.RunFailureSensorContext) -> None:
        from revops.config import load_config
        from revops.ops_alerts import send_run_failure

        cfg = load_config(config_path)
        send_run_failure(cfg, job=context.dagster_run.job_name, run_id=context.dagster_run.run_id,
                         error=context.failure_event.message or "")

    return alert_on_run_failure
