"""Running the dbt project in-process against a given DuckDB file, as the pipeline does."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dbt.cli.main import dbtRunner

PROJECT_DIR = Path(__file__).resolve().parents[2] / "dbt_project"


@dataclass
class DbtRun:
    """What a dbt invocation did: overall success, per-node status and message, the exception."""

    success: bool
    statuses: dict[str, str]
    messages: dict[str, str]
    exception: str | None

    def failed(self) -> dict[str, str]:
        """Nodes that errored or failed, with their messages."""
        return {n: self.messages.get(n, "") for n, s in self.statuses.items() if s in ("error", "fail")}


def run_dbt(command: str, warehouse: Path, work_dir: Path, variables: Mapping[str, Any],
            extra: Sequence[str] = ()) -> DbtRun:
    """Invoke `dbt <command>` (e.g. "build", "docs generate") on the project with the warehouse at `warehouse`.

    Target and log folders go under `work_dir` so runs never share partial-parse state."""
    previous = os.environ.get("DBT_DUCKDB_PATH")
    os.environ["DBT_DUCKDB_PATH"] = str(warehouse)
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    try:
        result = dbtRunner().invoke([
            *command.split(), "--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR),
            "--vars", json.dumps(dict(variables)), "--target-path", str(work_dir / "target"),
            "--log-path", str(work_dir / "logs"), "--quiet", *extra,
        ])
    finally:
        if previous is None:
            os.environ.pop("DBT_DUCKDB_PATH", None)
        else:
            os.environ["DBT_DUCKDB_PATH"] = previous
    statuses: dict[str, str] = {}
    messages: dict[str, str] = {}
    for node_result in getattr(result.result, "results", None) or []:
        name = node_result.node.name
        statuses[name] = str(node_result.status).lower()
        messages[name] = (node_result.message or "").strip()
    return DbtRun(bool(result.success), statuses, messages,
                  str(result.exception) if result.exception else None)
