"""Ground truth computed from the simulated world (never from the rendered records): the KPI
values, team health, ramp times, manager changes and cross-CRM identities that tests compare
the warehouse with."""

from __future__ import annotations

import pandas as pd

from ..world import World
from .health import rep_ramp, team_health
from .identities import identities, manager_changes
from .pipeline import kpi_values

__all__ = ["build_truth", "identities", "kpi_values", "manager_changes", "rep_ramp", "team_health"]


def _csv(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n", float_format="%.10g")


def build_truth(world: World) -> dict[str, str]:
    """All truth files as CSV text, keyed by file name."""
    return {
        "kpi_values.csv": _csv(kpi_values(world)),
        "team_health.csv": _csv(team_health(world)),
        "rep_ramp.csv": _csv(rep_ramp(world).astype({"ramp_days": "Int64"})),
        "manager_changes.csv": _csv(manager_changes(world)),
        "identities.csv": _csv(identities(world).astype({"pipedrive_id": "Int64"})),
    }
