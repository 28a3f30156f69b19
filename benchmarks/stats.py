"""Small helpers for the benchmark: child processes with sampled memory, medians and spreads."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class ChildRun:
    output: dict[str, Any]
    wall_s: float  # including interpreter start and imports
    psutil_peak_mb: float  # resident memory sampled every 20 ms
    returncode: int


def run_child(args: Sequence[str], *, timeout: float = 7200.0, cwd: Path = ROOT) -> ChildRun:
    """Run a Python child, sample its RSS with psutil, and parse the last JSON line it prints."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "RUNTIME__DLTHUB_TELEMETRY": "false",
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1"}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *args], cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    peak = 0
    handle = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            peak = max(peak, handle.memory_info().rss)
        except psutil.Error:
            break
        if time.perf_counter() - t0 > timeout:
            proc.kill()
            break
        time.sleep(0.02)
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - t0
    lines = [ln for ln in stdout.splitlines() if ln.startswith("{")]
    if lines:
        output = json.loads(lines[-1])
    else:
        why = f"exited with code {proc.returncode}"
        if proc.returncode is not None and proc.returncode < 0:
            why = f"killed by signal {-proc.returncode}" + (" (the kernel's out-of-memory killer sends 9)"
                                                             if proc.returncode == -9 else "")
        output = {"error": f"{why}; {(stderr or stdout)[-1500:]}".rstrip("; ")}
    return ChildRun(output, round(wall, 3), round(peak / 2**20, 1), proc.returncode)


def summary(values: Sequence[float | int | None]) -> dict[str, float | int | None]:
    """Median, min, max and spread ((max - min) / median) of the values that exist."""
    xs = [float(v) for v in values if v is not None]
    if not xs:
        return {"median": None, "min": None, "max": None, "spread": None, "n": 0}
    med = statistics.median(xs)
    return {"median": round(med, 3), "min": round(min(xs), 3), "max": round(max(xs), 3),
            "spread": round((max(xs) - min(xs)) / med, 3) if med else None, "n": len(xs)}


def show(stat: dict[str, Any] | None, digits: int = 1, unit: str = "") -> str:
    """`12.3 s (11.9–12.8)` for a summary; `-` when there is nothing."""
    if not stat or stat.get("median") is None:
        return "-"
    med, lo, hi = stat["median"], stat["min"], stat["max"]
    text = f"{med:,.{digits}f}{unit}"
    if stat.get("n", 1) > 1:
        text += f" ({lo:,.{digits}f}–{hi:,.{digits}f})"
    return text


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    """A Markdown table."""
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return out
