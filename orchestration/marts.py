"""Python marts: forecast and team health, computed by plain functions in `revops.forecast` and
`revops.team_health` and written to their schemas."""

import dagster as dg

from orchestration.resources import RevopsResource

MART_DEPS = [dg.AssetKey(["fct_deals"]), dg.AssetKey(["fct_pipeline_daily"]), dg.AssetKey(["fct_deal_stage_events"]),
             dg.AssetKey(["fct_activities"]), dg.AssetKey(["dim_reps"])]


@dg.asset(key=["forecast", "forecast_marts"], group_name="forecast", kinds={"python", "scikit-learn", "duckdb"},
          owners=["team:revops"], deps=MART_DEPS, tags={"revops/writes_warehouse": "true"}, pool="warehouse",
          description="forecast.*: weighted, stage-conversion, deal-model and Monte Carlo forecasts per scope and "
                      "period, deal scores, back-tested accuracy, pipeline waterfall, summary, lead scores.")
def forecast_marts(context: dg.AssetExecutionContext, revops: RevopsResource) -> dg.MaterializeResult:
    import duckdb

    from revops.forecast import build_forecast

    with revops.runtime(context.log) as rt:
        cfg = rt.config
        with duckdb.connect(str(rt.warehouse)) as con:
            rows = build_forecast(con, as_of=rt.as_of, fiscal_year_start_month=cfg.company.fiscal_year_start_month,
                                  corporate_currency=cfg.company.corporate_currency, seed=cfg.forecast.seed,
                                  simulations=cfg.forecast.simulations, backtest_periods=cfg.forecast.backtest_periods)
    return dg.MaterializeResult(metadata={f"rows/{k}": v for k, v in rows.items()})


@dg.asset(key=["team_health", "team_health_marts"], group_name="team_health", kinds={"python", "duckdb"},
          owners=["team:revops"], tags={"revops/writes_warehouse": "true"}, pool="warehouse",
          deps=[dg.AssetKey(["dim_reps"]), dg.AssetKey(["fct_employment_spells"]), dg.AssetKey(["fct_absences"]),
                dg.AssetKey(["fct_survey_responses"]), dg.AssetKey(["fct_quotas"]), dg.AssetKey(["fct_deals"]),
                dg.AssetKey(["fct_activities"]), dg.AssetKey(["fct_deal_stage_events"]),
                dg.AssetKey(["forecast", "forecast_marts"])],
          description="team_health.*: headcount, turnover, absenteeism, eNPS, attainment distribution, ramp, "
                      "manager impact (difference in differences).")
def team_health_marts(context: dg.AssetExecutionContext, revops: RevopsResource) -> dg.MaterializeResult:
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
    return dg.MaterializeResult(metadata={f"rows/{k}": v for k, v in rows.items()})
