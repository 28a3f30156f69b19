"""`revops dev`: the Dagster UI and daemon (`dagster dev`) on 127.0.0.1 with the project's definitions.

- `DAGSTER_HOME` is `<data folder>/dagster_home` (or `$DAGSTER_HOME`, or `--dagster-home`); the
  repository's `dagster.yaml` is copied there when the folder holds none yet.
- With no CRM credentials and a `sandbox:` section in `revops.yml`, the sandbox servers start here,
  once, and their URLs and tokens reach the Dagster processes through the environment, exactly as real
  credentials would; the servers stop when the UI stops.
- The dbt manifest is prepared first (`revops prepare`), so the UI shows the current models."""

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path

from revops.config import RevopsConfig

REPO_ROOT = Path(__file__).resolve().parent.parent
PROJECT_DAGSTER_YAML = REPO_ROOT / "dagster.yaml"
HOST = "127.0.0.1"  # the UI can start runs: never listen beyond this machine by default
STOP_GRACE_SECONDS = 30


def dagster_home(cfg: RevopsConfig, explicit: Path | None = None,
                 environ: Mapping[str, str] | None = None) -> Path:
    """`explicit`, else `$DAGSTER_HOME`, else `<data folder>/dagster_home`; made absolute."""
    environ = os.environ if environ is None else environ
    if explicit is not None:
        return explicit.resolve()
    if environ.get("DAGSTER_HOME"):
        return Path(environ["DAGSTER_HOME"]).resolve()
    return (cfg.data_dir / "dagster_home").resolve()


def prepare_home(home: Path, template: Path = PROJECT_DAGSTER_YAML) -> str | None:
    """Create `home` and copy the repository's dagster.yaml into it unless one is there; returns a
    notice when an existing, different dagster.yaml is kept."""
    home.mkdir(parents=True, exist_ok=True)
    target = home / "dagster.yaml"
    if not target.exists():
        target.write_text(template.read_text(encoding="utf-8"), encoding="utf-8")
        return None
    if target.read_text(encoding="utf-8") != template.read_text(encoding="utf-8"):
        return (f"{target} differs from the repository's {template.name}; keeping it (delete it to start "
                "from the repository's settings)")
    return None


def dev_environment(base: Mapping[str, str], *, home: Path, config_file: Path,
                    as_of: date | None = None) -> dict[str, str]:
    """The environment of the Dagster processes: `base` (process environment, `.env`, sandbox
    variables) plus where the instance, the configuration and, for the sandbox, its date are."""
    env = dict(base)
    env["DAGSTER_HOME"] = str(home)
    env["REVOPS_CONFIG"] = str(config_file.resolve())
    env.setdefault("DAGSTER_DISABLE_TELEMETRY", "true")
    if as_of is not None:
        env["REVOPS_AS_OF"] = as_of.isoformat()
    return env


def dagster_dev_command(port: int) -> list[str]:
    """`dagster dev` on 127.0.0.1:`port`, loading `orchestration.definitions` from the repository."""
    return [sys.executable, "-m", "dagster", "dev", "--host", HOST, "--port", str(port),
            "--working-directory", str(REPO_ROOT), "-m", "orchestration.definitions"]


def run_foreground(command: Sequence[str], env: Mapping[str, str], cwd: Path = REPO_ROOT) -> int:
    """Run `command` until it exits; Ctrl-C or SIGTERM here is passed on once, so it can stop its own
    processes (webserver, daemon, code server) cleanly. Returns its exit code."""
    children: list[subprocess.Popen[bytes]] = []

    def forward(signum: int, _frame: object) -> None:
        if children and children[0].poll() is None:
            children[0].send_signal(signum)

    # Handlers go in before the start: a handled signal is reset to its default in the new program,
    # while an ignored one stays ignored (a shell's background job ignores SIGINT, and `dagster dev`
    # maps SIGTERM onto SIGINT's handler, so it would ignore both).
    previous = {s: signal.signal(s, forward) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        # its own session: a terminal's Ctrl-C reaches this process only, which forwards it exactly once
        children.append(subprocess.Popen(list(command), env=dict(env), cwd=str(cwd), start_new_session=True))
        code = children[0].wait()
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        if children and children[0].poll() is None:
            _stop(children[0])
    return code


def _stop(child: subprocess.Popen[bytes]) -> None:
    child.send_signal(signal.SIGTERM)
    try:
        child.wait(timeout=STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()


def run_dev(cfg: RevopsConfig, config_file: Path, *, port: int = 3000, home: Path | None = None,
            prepare: bool = True, say: Callable[[str], None] = print,
            command: Sequence[str] | None = None) -> int:
    """Prepare the manifest and DAGSTER_HOME, start the sandbox when needed, run `dagster dev` (or
    `command`) in the foreground; returns its exit code."""
    from revops import pipeline

    if prepare:
        from orchestration.dbt import prepare_manifest

        say(f"dbt manifest written to {prepare_manifest()}")
    instance_home = dagster_home(cfg, home)
    notice = prepare_home(instance_home)
    if notice:
        say(notice)
    with pipeline.runtime(cfg, say) as rt:
        for note in rt.notes:
            say(note)
        env = dev_environment(rt.env, home=instance_home, config_file=config_file,
                              as_of=rt.as_of if rt.sandbox is not None else None)
        say(f"DAGSTER_HOME={instance_home}")
        if command is None:
            say(f"Dagster UI on http://{HOST}:{port} (Ctrl-C to stop)")
        # started from DAGSTER_HOME, where dagster.yaml is (the repository is on the module path)
        return run_foreground(command or dagster_dev_command(port), env, cwd=instance_home)
