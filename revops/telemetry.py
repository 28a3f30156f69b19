"""Telemetry off in every library that has it: users expect it, and offline each attempt costs time.
Imported first by the command line and the Dagster definitions."""

import os

for _name, _value in {
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DO_NOT_TRACK": "1",
    "RUNTIME__DLTHUB_TELEMETRY": "false",
    "GX_ANALYTICS_ENABLED": "false",
    "DAGSTER_DISABLE_TELEMETRY": "true",
}.items():
    os.environ.setdefault(_name, _value)
