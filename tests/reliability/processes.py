"""Run `child_sync` in a subprocess: plainly (to kill it), or inside a private mount namespace where
the warehouse folder is read-only or lives on a tiny, nearly full file system."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def child_command(crm: str, env: dict[str, str], warehouse: Path, pipelines: Path,
                  full_refresh: bool = False) -> list[str]:
    args = {"crm": crm, "env": env, "warehouse": str(warehouse), "pipelines": str(pipelines),
            "full_refresh": full_refresh}
    return [sys.executable, "-m", "tests.reliability.child_sync", json.dumps(args)]


def child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "RUNTIME__DLTHUB_TELEMETRY": "false"}


@dataclass
class Killed:
    after: float  # seconds after the child's imports were done
    finished: bool  # the child ended by itself before the kill
    output: str


def run_and_kill(command: list[str], delay: float, *, start_timeout: float = 60.0,
                 wait_exit: bool = False) -> Killed:
    """Start the child, wait for its `started` line, then SIGKILL it `delay` seconds later (with
    `wait_exit`, let it finish within `delay` instead: a timed, undisturbed run)."""
    proc = subprocess.Popen(command, cwd=ROOT, env=child_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    deadline = time.monotonic() + start_timeout
    line = ""
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if line.strip() == "started" or not line:
            break
    assert line.strip() == "started", f"child did not start: {line!r}"
    if wait_exit:
        proc.wait(timeout=delay)
    else:
        time.sleep(delay)
    finished = proc.poll() is not None
    if not finished:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    rest = proc.stdout.read()
    return Killed(delay, finished, rest)


def unshare_available() -> bool:
    """Whether this process may make a private mount namespace (root, or user namespaces allowed)."""
    if not shutil.which("unshare") or sys.platform != "linux":
        return False
    probe = subprocess.run(["unshare", "-m", "sh", "-c", "mount -t tmpfs -o size=64k tmpfs /mnt 2>/dev/null || "
                            "mount -t tmpfs -o size=64k tmpfs /tmp"], capture_output=True)
    return probe.returncode == 0


def run_in_namespace(prelude: str, command: list[str], epilogue: str = "") -> dict[str, Any]:
    """Run `command` after the shell `prelude` inside `unshare -m` (mounts vanish with the child);
    `epilogue` runs after it in the same namespace. Returns the child's last JSON line."""
    quoted = " ".join(_quote(c) for c in command)
    script = f"set -e\n{prelude}\nset +e\n{quoted}\nstatus=$?\n{epilogue}\nexit $status\n"
    proc = subprocess.run(["unshare", "-m", "sh", "-c", script], cwd=ROOT, env=child_env(),
                          capture_output=True, text=True, timeout=300)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    assert lines, f"child printed no result (exit {proc.returncode}): {proc.stderr[-2000:]}"
    return dict(json.loads(lines[-1]))


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\"'\"'") + "'"


def folder_size(folder: Path, page: int = 4096) -> int:
    """Bytes a copy of `folder` takes on tmpfs (every file rounded up to whole pages)."""
    return sum(-(-f.stat().st_size // page) * page for f in folder.rglob("*") if f.is_file())
