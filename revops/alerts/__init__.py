"""KPI alerting: target breaches and statistical drift, de-duplicated, delivered to Slack, e-mail
and a JSON webhook, and logged in `ops.alert_events`.

Entry points:

- `evaluate_and_send(con, config, *, as_of, env, dry_run=False)` evaluates every rule, sends new
  breaches and recoveries, and returns every event it logged;
- `send_ops_alert(con, config, *, title, detail, env)` sends an operational alert (failed run,
  failed blocking check, stale source) through the same channels and log, with kind `ops`.

Configuration: the `alerts:` section of revops.yml, validated with `AlertsConfig.model_validate`.
Channels name environment variables; the values (webhook URLs, header values, SMTP credentials)
are read from the `env` mapping at send time and never stored or logged.

```yaml
alerts:
  # Only needed for quarter_position seasonality; copy company.fiscal_year_start_month here.
  # When absent it is read from the quarter rows of kpi.kpi_values.
  fiscal_year_start_month: 1
  # Optional BI link; placeholders: {rule} {kind} {kpi} {scope_type} {scope_id} {grain} {period_start}
  link_template: "https://bi.example.com/kpi/{kpi}?scope={scope_type}:{scope_id}&period={period_start}"
  ops_channels: [slack, email]        # default: every configured channel
  channels:
    slack:
      webhook_url_env: REVOPS_SLACK_WEBHOOK_URL
      style: blocks                   # blocks (Block Kit) or text
    email:
      host: smtp.example.com
      port: 587
      from: revops-alerts@example.com
      to: [revops@example.com, sales-leads@example.com]
      starttls: true
      username_env: REVOPS_SMTP_USERNAME   # both or neither
      password_env: REVOPS_SMTP_PASSWORD
      subject_prefix: "[RevOps]"
    webhook:
      url_env: REVOPS_ALERT_WEBHOOK_URL
      headers_env:                    # header name -> environment variable holding its value
        Authorization: REVOPS_ALERT_WEBHOOK_AUTH
  rules:
    - name: demo_to_proposal_drift    # optional; default "<kpi>:<scope_type>:<grain>:<kind>"
      kpi: stage_conversion_demo
      scope_type: team                # company, team, rep, segment, source, manager
      scope_ids: [emea, americas]     # optional; default every scope id of that type
      grain: week                     # week, month, quarter
      kind: drift                     # drift or target
      threshold: 3.5                  # robust z beyond which a value is unusual
      training_periods: 12            # 8 to 13 earlier comparable periods
      min_training_periods: 8         # fewer comparable periods: not judged
      min_denominator: 30             # a smaller denominator is not judged (the KPI's own
                                      # denominator: deals for conversions, rep-weeks for
                                      # activities_per_rep_week; counts have none)
      seasonality: none               # or quarter_position (week and month grains)
      fallback_scale: 0.05            # optional; scale used when the training MAD is 0
      channels: [slack, webhook]      # default: every configured channel; []: record only
    - name: weekly_pipeline_created
      kpi: opportunities_created_amount
      grain: week
      kind: drift
      seasonality: quarter_position   # channels omitted: every configured channel
    - name: coverage_target
      kpi: pipeline_coverage
      grain: quarter
      kind: target                    # from kpi.kpi_tracking: status red ...
      include_amber: true             # ... and amber too
      period: current                 # judge the running period (default: the last completed one)
      channels: [email]
```

Drift, seasonality and the MAD = 0 rule: `revops.alerts.drift` and `revops.alerts.periods`.
States and de-duplication: `revops.alerts.engine`. The webhook payload: `revops.alerts.render`.
"""

from revops.alerts.config import (
    AlertRule,
    AlertsConfig,
    ChannelsConfig,
    EmailChannel,
    SlackChannel,
    WebhookChannel,
)
from revops.alerts.detect import AlertDataError
from revops.alerts.engine import evaluate_and_send, send_ops_alert
from revops.alerts.events import AlertEvent

__all__ = [
    "AlertDataError",
    "AlertEvent",
    "AlertRule",
    "AlertsConfig",
    "ChannelsConfig",
    "EmailChannel",
    "SlackChannel",
    "WebhookChannel",
    "evaluate_and_send",
    "send_ops_alert",
]
