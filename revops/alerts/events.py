"""The alert event: one row of `ops.alert_events`, and what every channel renders.

States:
- `firing`: a new breach, announced on the rule's channels;
- `ongoing`: the breach persists and was already announced, so nothing is sent;
- `resolved`: a previously announced breach is over, announced once;
- `suppressed`: the value would breach but is not judged (small denominator, constant history);
  nothing is sent and the condition's state does not change.
Operational alerts (kind `ops`) are always `firing`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Literal

Kind = Literal["target", "drift", "ops"]
State = Literal["firing", "ongoing", "resolved", "suppressed"]
# (rule, kpi, scope_type, scope_id, kind): one alerting condition
ConditionKey = tuple[str, str, str, str, str]


def utc_now() -> datetime:
    """The current instant as a naive UTC timestamp (the warehouse stores UTC)."""
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass(frozen=True)
class AlertEvent:
    """One evaluated alert: sent, suppressed or recorded as ongoing."""

    alert_id: str
    rule: str
    kind: Kind
    state: State
    title: str
    message: str
    kpi: str | None = None
    scope_type: str | None = None
    scope_id: str | None = None
    grain: str | None = None
    period_start: date | None = None
    unit: str | None = None
    value: float | None = None
    expected_low: float | None = None
    expected_high: float | None = None
    score: float | None = None
    target: float | None = None
    gap: float | None = None
    since: date | None = None
    drilldown_sql: str | None = None
    link: str | None = None
    channels: tuple[str, ...] = ()
    sent: bool = False
    suppressed_reason: str | None = None
    delivery_errors: str | None = None
    created_at: datetime = field(default_factory=utc_now)

    @property
    def key(self) -> ConditionKey:
        return (self.rule, self.kpi or "", self.scope_type or "", self.scope_id or "", self.kind)

    @property
    def scope_label(self) -> str:
        if self.scope_type is None:
            return ""
        if self.scope_type == "company":
            return "company"
        return f"{self.scope_type} {self.scope_id}"
