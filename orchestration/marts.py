"""Python marts: the forecast and team-health tables, one asset per table.

The maths lives in `revops.forecast` and `revops.team_health` (plain functions); these assets only call
them on the warehouse. Each table is its own asset keyed `[<schema>, <table>]`, the key dagster-dbt gives
the dbt models (every layer sets its schema), so the lineage runs through the marts with no mapping, and
the dbt models that read `forecast.forecast_accuracy` back (the forecast-accuracy KPI) connect to it."""

from collections.abc import Collection, Iterator

import dagster as dg

from orchestration.resources import WAREHOUSE_POOL, RevopsResource
from revops.forecast.tables import SCHEMAS as FORECAST_TABLES
from revops.team_health.builder import OPTIONAL_MARTS, REQUIRED_MARTS
from revops.team_health.builder import TABLE_TYPES as TEAM_HEALTH_TABLES

OWNERS = ["team:revops"]
# The marts the forecast reads (revops.forecast.marts).
FORECAST_INPUTS = ("fct_deals", "fct_pipeline_daily", "fct_deal_stage_events", "fct_deal_changes", "fct_activities",
                   "fct_lead_funnel", "fct_quotas", "dim_reps", "dim_accounts")


def warehouse_key(schema: str, table: str) -> dg.AssetKey:
    """The asset key of a warehouse table built by dbt or by Python: `[<schema>, <table>]`."""
    return dg.AssetKey([schema, table])


def forecast_keys() -> list[dg.AssetKey]:
    return [dg.AssetKey(["forecast", t]) for t in FORECAST_TABLES]


def team_health_keys() -> list[dg.AssetKey]:
    return [dg.AssetKey(["team_health", t]) for t in TEAM_HEALTH_TABLES]


@dg.multi_asset(
    name="forecast_marts", pool=WAREHOUSE_POOL,
    specs=[dg.AssetSpec(key, group_name="forecast", kinds={"python", "scikit-learn", "duckdb"}, owners=OWNERS,
                        deps=[warehouse_key("marts", t) for t in FORECAST_INPUTS],
                        description=f"forecast.{key.path[-1]}: written with the other forecast tables in one "
                                    "transaction (weighted, stage-conversion, deal-model and Monte Carlo "
                                    "forecasts, back-tests, waterfall, lead scores).")
           for key in forecast_keys()],
)
def forecast_marts(context: dg.AssetExecutionContext, revops: RevopsResource) -> Iterator[dg.MaterializeResult]:
    """Every forecast.* table, as of the run's date."""
    import duckdb

    from revops.forecast import build_forecast

    with revops.runtime(context.log) as rt:
        cfg = rt.config
        with duckdb.connect(str(rt.warehouse)) as con:
            rows = build_forecast(con, as_of=rt.as_of, fiscal_year_start_month=cfg.company.fiscal_year_start_month,
                                  corporate_currency=cfg.company.corporate_currency, seed=cfg.forecast.seed,
                                  simulations=cfg.forecast.simulations, backtest_periods=cfg.forecast.backtest_periods)
    for key in forecast_keys():
        yield dg.MaterializeResult(asset_key=key, metadata={"dagster/row_count": int(rows.get(key.path[-1], 0)),
                                                            "as_of": rt.as_of.isoformat()})


def team_health_assets(defined: Collection[dg.AssetKey]) -> dg.AssetsDefinition:
    """The team_health.* tables; an optional input joins the lineage only when something defines it."""
    optional = [warehouse_key(s, t) for s, t in OPTIONAL_MARTS.values() if warehouse_key(s, t) in defined]
    deps = [*(warehouse_key(s, t) for s, t in REQUIRED_MARTS.values()), *optional]

    @dg.multi_asset(
        name="team_health_marts", pool=WAREHOUSE_POOL,
        specs=[dg.AssetSpec(key, group_name="team_health", kinds={"python", "duckdb"}, owners=OWNERS, skippable=True,
                            deps=deps,
                            description=f"team_health.{key.path[-1]}: headcount, turnover, absenteeism, eNPS, "
                                        "attainment, ramp and manager impact, written in one transaction.")
               for key in team_health_keys()],
    )
    def team_health_marts(context: dg.AssetExecutionContext, revops: RevopsResource) -> Iterator[dg.MaterializeResult]:
        """Every team_health.* table, as of the run's date."""
        import duckdb

        from revops.team_health import build_team_health

        with revops.runtime(context.log) as rt:
            cfg = rt.config
            t = cfg.team_health
            with duckdb.connect(str(rt.warehouse)) as con:
                rows = build_team_health(con, as_of=rt.as_of, min_survey_respondents=t.min_survey_respondents,
                                         small_team_threshold=t.small_team_threshold, ramp_share=t.ramp_share,
                                         sdr_monthly_meeting_target=t.sdr_monthly_meeting_target,
                                         impact_window_days=t.impact_window_days, min_deals_per_side=t.min_deals_per_side,
                                         fiscal_year_start_month=cfg.company.fiscal_year_start_month)
        for key in team_health_keys():
            written = f"team_health.{key.path[-1]}"
            if written in rows:
                yield dg.MaterializeResult(asset_key=key, metadata={"dagster/row_count": int(rows[written]),
                                                                    "as_of": rt.as_of.isoformat()})
            else:
                context.log.warning(f"team health did not write {written} in this run")

    return team_health_marts
