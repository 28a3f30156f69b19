"""Team health: headcount and turnover, absenteeism, eNPS, ramp time, attainment distribution and
manager impact, written to the `team_health` schema (docs/warehouse.md; definitions in docs/kpis.md).

`build_team_health` reads the marts and writes the tables; `compute_team_health` does the same work on
DataFrames; `team_health_kpi_values` gives the KPIs in the long format of kpi.kpi_values.
"""

from revops.team_health.builder import build_team_health, read_marts, write_tables
from revops.team_health.compute import MartFrames, TeamHealthSettings, TeamHealthTables, compute_team_health
from revops.team_health.enps import enps_points
from revops.team_health.kpi_values import TEAM_HEALTH_KPIS, team_health_kpi_values
from revops.team_health.manager_changes import detect_manager_changes, validate_changes

__all__ = [
    "MartFrames",
    "TEAM_HEALTH_KPIS",
    "TeamHealthSettings",
    "TeamHealthTables",
    "build_team_health",
    "compute_team_health",
    "detect_manager_changes",
    "enps_points",
    "read_marts",
    "team_health_kpi_values",
    "validate_changes",
    "write_tables",
]
