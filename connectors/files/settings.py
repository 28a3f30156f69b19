"""The input files, their columns and types. `required` columns must be present in the header."""

from __future__ import annotations

# file stem -> list of (column, type, required, nullable); types: text, date, float, int, bool
COLUMNS: dict[str, list[tuple[str, str, bool, bool]]] = {
    "quotas": [
        ("rep_email", "text", True, False),
        ("period_start", "date", True, False),
        ("period_end", "date", True, False),
        ("quota_type", "text", False, True),
        ("quota_amount", "float", True, False),
        ("currency", "text", False, True),
    ],
    "targets": [
        ("kpi", "text", True, False),
        ("grain", "text", True, False),
        ("scope_type", "text", True, False),
        ("scope_id", "text", True, False),
        ("target", "float", True, False),
    ],
    "hr_roster": [
        ("employee_id", "text", True, False),
        ("email", "text", True, False),
        ("full_name", "text", True, True),
        ("role", "text", True, False),
        ("level", "text", False, True),
        ("team", "text", True, True),
        ("manager_email", "text", False, True),
        ("hire_date", "date", True, False),
        ("exit_date", "date", True, True),
        ("exit_type", "text", False, True),
    ],
    "hr_events": [
        ("employee_id", "text", True, False),
        ("event_date", "date", True, False),
        ("event_type", "text", True, False),
        ("detail", "text", False, True),
    ],
    "absences": [
        ("employee_id", "text", True, False),
        ("start_date", "date", True, False),
        ("end_date", "date", True, False),
        ("absence_type", "text", False, True),
        ("planned", "bool", True, False),
    ],
    "surveys": [
        ("survey_id", "text", True, False),
        ("survey_date", "date", True, False),
        ("team", "text", True, True),
        ("enps_score", "int", True, False),
    ],
    "exchange_rates": [
        ("rate_date", "date", True, False),
        ("currency", "text", True, False),
        ("rate_to_corporate", "float", True, False),
    ],
}

# Files that must exist for the warehouse to be complete; the others are optional.
REQUIRED_FILES = ("exchange_rates",)

ALLOWED_VALUES: dict[tuple[str, str], tuple[str, ...]] = {
    ("quotas", "quota_type"): ("revenue", "meetings"),
    ("targets", "grain"): ("week", "month", "quarter"),
    ("targets", "scope_type"): ("company", "team", "rep", "segment", "source", "manager"),
    ("hr_roster", "exit_type"): ("voluntary", "involuntary"),
    ("hr_events", "event_type"): ("hire", "exit", "team_change", "manager_change", "promotion", "rehire"),
}

# Primary keys (for merge); None means the file replaces its table on each load.
PRIMARY_KEYS: dict[str, tuple[str, ...]] = {
    "quotas": ("rep_email", "period_start", "quota_type"),
    "targets": ("kpi", "grain", "scope_type", "scope_id"),
    "hr_roster": ("employee_id",),
    "exchange_rates": ("rate_date", "currency"),
}
