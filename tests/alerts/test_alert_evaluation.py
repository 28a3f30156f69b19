"""End to end: synthetic kpi tables, real local receivers, the state machine and ops.alert_events."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from alert_fixtures import HttpReceiver, SmtpReceiver, Warehouse, weeks

from revops.alerts import AlertsConfig, evaluate_and_send
from revops.alerts.detect import find_drift, fiscal_start_month, table_exists
from revops.alerts.periods import add_months

CALM = [0.40, 0.41, 0.39, 0.42, 0.38, 0.40, 0.43, 0.37, 0.41, 0.39, 0.40, 0.42, 0.38, 0.41]
WEEKS = weeks(date(2024, 1, 1), len(CALM) + 3)  # 14 calm weeks, then three more


def after(week: date) -> date:
    """The as-of date at which `week` is the last completed week."""
    return week + timedelta(days=7)


def drift_config(channels: dict[str, Any], fiscal_year_start_month: int | None = None,
                 **rule: Any) -> AlertsConfig:
    base = {"name": "demo_conversion", "kpi": "stage_conversion_demo", "scope_type": "team",
            "grain": "week", "kind": "drift", "channels": ["slack", "webhook"]}
    return AlertsConfig.model_validate({"channels": channels, "rules": [{**base, **rule}],
                                        "fiscal_year_start_month": fiscal_year_start_month})


def load_teams(wh: Warehouse, emea_tail: list[float], tail_denominator: float = 60) -> None:
    """Two teams with the same calm history; only EMEA's last weeks change."""
    emea = [(v, 60.0) for v in CALM] + [(v, tail_denominator) for v in emea_tail]
    wh.add_series("stage_conversion_demo", "week", "team", "emea",
                  [(w, v, d) for w, (v, d) in zip(WEEKS, emea, strict=False)])
    wh.add_series("stage_conversion_demo", "week", "team", "americas",
                  [(w, v, 60) for w, v in zip(WEEKS, CALM + [0.40, 0.41, 0.39], strict=False)])


def test_a_conversion_drop_raises_exactly_one_alert(warehouse: Warehouse, http_receiver: HttpReceiver,
                                                    channels: dict[str, Any], env: dict[str, str]) -> None:
    load_teams(warehouse, [0.18])
    drop_week = WEEKS[len(CALM)]
    events = evaluate_and_send(warehouse.con, drift_config(channels), as_of=after(drop_week), env=env)

    assert [(e.scope_id, e.state, e.sent) for e in events] == [("emea", "firing", True)]
    event = events[0]
    assert event.value == pytest.approx(0.18)
    assert event.score is not None and event.score < -3.5
    assert event.expected_low is not None and event.expected_high is not None
    assert event.expected_low < 0.40 < event.expected_high
    assert event.since == drop_week
    assert len(http_receiver.bodies("/slack")) == 1
    assert len(http_receiver.bodies("/hook")) == 1
    rows = warehouse.alert_rows()
    assert [(r["scope_id"], r["state"], r["sent"], r["channels"]) for r in rows] == [
        ("emea", "firing", True, "slack,webhook")]
    assert rows[0]["since"] == drop_week and rows[0]["period_start"] == drop_week


def test_second_evaluation_of_a_persisting_breach_sends_nothing(
        warehouse: Warehouse, http_receiver: HttpReceiver, channels: dict[str, Any],
        env: dict[str, str]) -> None:
    load_teams(warehouse, [0.18])
    config, as_of = drift_config(channels), after(WEEKS[len(CALM)])
    evaluate_and_send(warehouse.con, config, as_of=as_of, env=env)
    second = evaluate_and_send(warehouse.con, config, as_of=as_of, env=env)

    assert [(e.state, e.sent) for e in second] == [("ongoing", False)]
    assert "already announced" in (second[0].suppressed_reason or "")
    assert len(http_receiver.requests) == 2  # the first evaluation's Slack and webhook posts only
    assert [r["state"] for r in warehouse.alert_rows()] == ["firing", "ongoing"]


def test_recovery_is_announced_once_and_the_streak_start_is_kept(
        warehouse: Warehouse, http_receiver: HttpReceiver, channels: dict[str, Any],
        env: dict[str, str]) -> None:
    load_teams(warehouse, [0.18, 0.17, 0.40])
    config = drift_config(channels)
    first_drop, second_drop, recovered = WEEKS[len(CALM):]
    evaluate_and_send(warehouse.con, config, as_of=after(first_drop), env=env)
    ongoing = evaluate_and_send(warehouse.con, config, as_of=after(second_drop), env=env)
    resolved = evaluate_and_send(warehouse.con, config, as_of=after(recovered), env=env)
    again = evaluate_and_send(warehouse.con, config, as_of=after(recovered), env=env)

    assert [(e.state, e.since) for e in ongoing] == [("ongoing", first_drop)]
    assert [(e.state, e.sent, e.since) for e in resolved] == [("resolved", True, first_drop)]
    assert again == []
    slack = http_receiver.bodies("/slack")
    assert len(slack) == 2
    assert slack[1]["blocks"][0]["text"]["text"].startswith("Recovered")
    assert [r["state"] for r in warehouse.alert_rows()] == ["firing", "ongoing", "resolved"]


def test_breach_starting_before_the_first_evaluation_reports_its_first_period(
        warehouse: Warehouse, channels: dict[str, Any], env: dict[str, str]) -> None:
    load_teams(warehouse, [0.18, 0.17])
    events = evaluate_and_send(warehouse.con, drift_config(channels), as_of=after(WEEKS[-2]), env=env)
    assert [(e.state, e.since) for e in events] == [("firing", WEEKS[len(CALM)])]


def test_a_drop_on_a_small_denominator_is_recorded_as_suppressed_and_not_sent(
        warehouse: Warehouse, http_receiver: HttpReceiver, channels: dict[str, Any],
        env: dict[str, str]) -> None:
    load_teams(warehouse, [0.18], tail_denominator=12)
    events = evaluate_and_send(warehouse.con, drift_config(channels), as_of=after(WEEKS[len(CALM)]),
                               env=env)
    assert [(e.scope_id, e.state, e.sent) for e in events] == [("emea", "suppressed", False)]
    assert "denominator 12 is under min_denominator 30" in (events[0].suppressed_reason or "")
    assert http_receiver.requests == []
    assert warehouse.alert_rows()[0]["suppressed_reason"] == events[0].suppressed_reason


def test_constant_history_alerts_only_with_a_fallback_scale(
        warehouse: Warehouse, http_receiver: HttpReceiver, channels: dict[str, Any],
        env: dict[str, str]) -> None:
    flat = [(w, 0.5, 100.0) for w in WEEKS[:12]]
    warehouse.add_series("win_rate_count", "week", "company", "all", [*flat, (WEEKS[12], 0.5, 100)])
    warehouse.add_series("win_rate_count", "week", "segment", "smb", [*flat, (WEEKS[12], 0.3, 100)])
    as_of = after(WEEKS[12])
    rule: dict[str, Any] = {"kpi": "win_rate_count", "scope_type": "company", "name": "same"}
    assert evaluate_and_send(warehouse.con, drift_config(channels, **rule), as_of=as_of, env=env) == []

    smb: dict[str, Any] = {"kpi": "win_rate_count", "scope_type": "segment"}
    unscaled = evaluate_and_send(warehouse.con, drift_config(channels, name="no_fallback", **smb),
                                 as_of=as_of, env=env)
    assert [(e.state, e.sent) for e in unscaled] == [("suppressed", False)]
    assert "MAD 0" in (unscaled[0].suppressed_reason or "")
    assert http_receiver.requests == []

    scaled = evaluate_and_send(
        warehouse.con, drift_config(channels, name="fallback", fallback_scale=0.05, **smb),
        as_of=as_of, env=env)
    assert [(e.state, e.sent) for e in scaled] == [("firing", True)]
    assert scaled[0].score == pytest.approx(-4.0)
    assert (scaled[0].expected_low, scaled[0].expected_high) == pytest.approx((0.325, 0.675))


def _late_quarter_spike(grain: str) -> tuple[list[tuple[date, float, None]], date]:
    """Three years of a pipeline amount whose last period of each quarter is about twice the rest."""
    noise = [1.00, 1.03, 0.98, 1.02, 0.97, 1.01, 0.99, 1.04, 0.96]
    if grain == "month":
        starts = [add_months(date(2022, 1, 1), i) for i in range(36)]
        late = [s.month % 3 == 0 for s in starts]
    else:
        starts = weeks(date(2022, 1, 3), 156)
        late = [add_months(date(s.year, (s.month - 1) // 3 * 3 + 1, 1), 3) - s <= timedelta(days=7)
                for s in starts]
    points = [(s, 100_000 * noise[i % len(noise)] * (2.0 if is_late else 1.0), None)
              for i, (s, is_late) in enumerate(zip(starts, late, strict=True))]
    last_late = max(s for s, is_late in zip(starts, late, strict=True) if is_late)
    return [p for p in points if p[0] <= last_late], last_late


@pytest.mark.parametrize("grain", ["month", "week"])
def test_a_late_quarter_spike_normal_for_its_position_does_not_alert(
        grain: str, warehouse: Warehouse, http_receiver: HttpReceiver, channels: dict[str, Any],
        env: dict[str, str]) -> None:
    points, spike = _late_quarter_spike(grain)
    warehouse.add_series("opportunities_created_amount", grain, "company", "all", points,
                         unit="currency")
    as_of = (add_months(spike, 1) if grain == "month" else spike + timedelta(days=7))
    base: dict[str, Any] = {"kpi": "opportunities_created_amount", "scope_type": "company", "grain": grain}
    seasonal = drift_config(channels, fiscal_year_start_month=1, name="seasonal",
                            seasonality="quarter_position", **base)
    plain = drift_config(channels, name="plain", **base)

    judged = find_drift(warehouse.con, seasonal.rules[0], as_of, 1)
    assert [(f.status, f.period_start) for f in judged] == [("normal", spike)]
    assert evaluate_and_send(warehouse.con, seasonal, as_of=as_of, env=env) == []
    assert http_receiver.requests == []
    # the same spike against the previous consecutive periods is unusual: the seasonality matters
    assert [e.state for e in evaluate_and_send(warehouse.con, plain, as_of=as_of, env=env)] == ["firing"]


def test_a_red_target_alerts_with_target_gap_and_streak_start(
        warehouse: Warehouse, http_receiver: HttpReceiver, smtp_receiver: SmtpReceiver,
        channels: dict[str, Any], env: dict[str, str]) -> None:
    for start, actual, status in [(date(2023, 10, 1), 4.2, "green"), (date(2024, 1, 1), 2.5, "red"),
                                  (date(2024, 4, 1), 2.1, "red"), (date(2024, 7, 1), 4.4, "green")]:
        warehouse.add_tracking("pipeline_coverage", "quarter", "company", "all", start, 4.0, actual,
                               status)
    config = AlertsConfig.model_validate({"channels": channels, "rules": [
        {"name": "coverage", "kpi": "pipeline_coverage", "grain": "quarter", "kind": "target",
         "channels": ["email"]}]})

    events = evaluate_and_send(warehouse.con, config, as_of=date(2024, 7, 1), env=env)
    assert [(e.state, e.sent, e.period_start, e.since) for e in events] == [
        ("firing", True, date(2024, 4, 1), date(2024, 1, 1))]
    assert events[0].target == 4.0 and events[0].gap == pytest.approx(-1.9)
    assert events[0].expected_low == 4.0 and events[0].expected_high is None
    assert len(smtp_receiver.messages) == 1

    recovered = evaluate_and_send(warehouse.con, config, as_of=date(2024, 10, 1), env=env)
    assert [(e.state, e.sent, e.since) for e in recovered] == [("resolved", True, date(2024, 1, 1))]
    assert evaluate_and_send(warehouse.con, config, as_of=date(2024, 10, 2), env=env) == []
    assert len(smtp_receiver.messages) == 2


@pytest.mark.parametrize(("include_amber", "expected"), [(False, []), (True, ["firing"])])
def test_amber_alerts_only_when_configured(
        include_amber: bool, expected: list[str], warehouse: Warehouse, channels: dict[str, Any],
        env: dict[str, str]) -> None:
    warehouse.add_tracking("sales_cycle_days_mean", "month", "team", "emea", date(2024, 5, 1),
                           60, 64, "amber", direction="lower_is_better")
    config = AlertsConfig.model_validate({"channels": channels, "rules": [
        {"kpi": "sales_cycle_days_mean", "scope_type": "team", "grain": "month", "kind": "target",
         "include_amber": include_amber, "channels": ["webhook"]}]})
    events = evaluate_and_send(warehouse.con, config, as_of=date(2024, 6, 3), env=env)
    assert [e.state for e in events] == expected
    if events:
        assert events[0].expected_high == 60 and events[0].expected_low is None


def test_dry_run_sends_and_records_nothing_and_leaves_the_state_alone(
        warehouse: Warehouse, http_receiver: HttpReceiver, channels: dict[str, Any],
        env: dict[str, str]) -> None:
    load_teams(warehouse, [0.18])
    config, as_of = drift_config(channels), after(WEEKS[len(CALM)])
    preview = evaluate_and_send(warehouse.con, config, as_of=as_of, env=env, dry_run=True)
    assert [(e.state, e.sent, e.suppressed_reason) for e in preview] == [
        ("firing", False, "dry run: nothing sent or recorded")]
    assert http_receiver.requests == []
    assert not table_exists(warehouse.con, "ops", "alert_events")
    real = evaluate_and_send(warehouse.con, config, as_of=as_of, env=env)
    assert [(e.state, e.sent) for e in real] == [("firing", True)]


def test_the_running_period_is_judged_only_when_configured(
        warehouse: Warehouse, channels: dict[str, Any], env: dict[str, str]) -> None:
    warehouse.add_tracking("pipeline_coverage", "quarter", "company", "all", date(2024, 4, 1), 4.0,
                           4.5, "green")
    warehouse.add_tracking("pipeline_coverage", "quarter", "company", "all", date(2024, 7, 1), 4.0,
                           1.5, "red")
    rule = {"kpi": "pipeline_coverage", "grain": "quarter", "kind": "target", "channels": ["webhook"]}
    completed = AlertsConfig.model_validate({"channels": channels, "rules": [rule]})
    current = AlertsConfig.model_validate({"channels": channels,
                                           "rules": [{**rule, "period": "current"}]})
    assert evaluate_and_send(warehouse.con, completed, as_of=date(2024, 8, 15), env=env) == []
    events = evaluate_and_send(warehouse.con, current, as_of=date(2024, 8, 15), env=env)
    assert [(e.state, e.period_start) for e in events] == [("firing", date(2024, 7, 1))]


def test_the_fiscal_quarter_is_read_from_quarter_rows_when_not_configured(
        warehouse: Warehouse) -> None:
    assert fiscal_start_month(warehouse.con, None) is None
    warehouse.add_series("won_amount", "quarter", "company", "all", [(date(2024, 2, 1), 1.0, None)],
                         unit="currency")
    assert fiscal_start_month(warehouse.con, None) == 2  # quarters start in Feb, May, Aug, Nov
    assert fiscal_start_month(warehouse.con, 4) == 4


def test_an_older_alert_log_gains_the_new_columns_and_keeps_its_rows(
        warehouse: Warehouse, channels: dict[str, Any], env: dict[str, str]) -> None:
    warehouse.con.execute(
        "create schema ops; create table ops.alert_events (alert_id varchar, rule varchar, kpi varchar, "
        "scope_type varchar, scope_id varchar, kind varchar, state varchar, value double, "
        "expected_low double, expected_high double, score double, target double, gap double, since date, "
        "message varchar, channels varchar, sent boolean, suppressed_reason varchar, created_at timestamp);"
        "insert into ops.alert_events (alert_id, kind, state) values ('old', 'ops', 'firing')")
    load_teams(warehouse, [0.18])
    evaluate_and_send(warehouse.con, drift_config(channels), as_of=after(WEEKS[len(CALM)]), env=env)
    old, new = sorted(warehouse.alert_rows(), key=lambda r: r["alert_id"] != "old")
    assert (old["alert_id"], old["drilldown_sql"]) == ("old", None)
    assert new["drilldown_sql"] is not None and new["grain"] == "week"


def test_a_record_only_rule_logs_a_breach_once_and_its_recovery_once(
        warehouse: Warehouse, http_receiver: HttpReceiver, env: dict[str, str]) -> None:
    load_teams(warehouse, [0.18, 0.40])
    config = AlertsConfig.model_validate({"rules": [
        {"kpi": "stage_conversion_demo", "scope_type": "team", "grain": "week", "kind": "drift"}]})
    drop, recovered = WEEKS[len(CALM)], WEEKS[len(CALM) + 1]
    states = [[(e.state, e.sent) for e in evaluate_and_send(warehouse.con, config, as_of=as_of, env=env)]
              for as_of in (after(drop), after(drop), after(recovered), after(recovered))]
    assert states == [[("firing", False)], [("ongoing", False)], [("resolved", False)], []]
    assert http_receiver.requests == []
    assert warehouse.alert_rows()[0]["suppressed_reason"] == "no alert channel to send to: recorded only"


def test_scope_ids_limit_a_rule_to_the_listed_scopes(
        warehouse: Warehouse, channels: dict[str, Any], env: dict[str, str]) -> None:
    load_teams(warehouse, [0.18])
    as_of = after(WEEKS[len(CALM)])
    only_americas = drift_config(channels, scope_ids=["americas"])
    assert evaluate_and_send(warehouse.con, only_americas, as_of=as_of, env=env) == []
    both = drift_config(channels, name="both", scope_ids=["americas", "emea"])
    assert [e.scope_id for e in evaluate_and_send(warehouse.con, both, as_of=as_of, env=env)] == ["emea"]
