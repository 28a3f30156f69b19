"""`revops doctor`: is the configuration valid, are the credentials there, does each connection work?"""

from __future__ import annotations

from rich.console import Console

from revops.config import RevopsConfig
from revops.pipeline import CREDENTIAL_VARS, has_credentials, runtime, sandbox_needed

HOW_TO = {
    "salesforce": "set SALESFORCE_USERNAME, SALESFORCE_PASSWORD and SALESFORCE_SECURITY_TOKEN (and "
                  "SALESFORCE_DOMAIN=test for a sandbox org), or SALESFORCE_INSTANCE_URL and "
                  "SALESFORCE_ACCESS_TOKEN, in the environment or .env",
    "hubspot": "create a private app in HubSpot (Settings > Integrations > Private apps) with CRM read "
               "scopes and set HUBSPOT_ACCESS_TOKEN in the environment or .env",
    "pipedrive": "copy your API token (Personal preferences > API) into PIPEDRIVE_API_TOKEN in the "
                 "environment or .env",
}


def run_doctor(cfg: RevopsConfig, console: Console) -> int:
    """Print one line per check; return the exit code (0 healthy, 3 credentials, 1 connection)."""
    from revops.env import load_env

    env = load_env(cfg.base_dir / ".env")
    code = 0
    enabled = cfg.sources.enabled_crms()
    if not sandbox_needed(cfg, env):
        for source in enabled:
            if not has_credentials(source, env):
                missing = [v for v in CREDENTIAL_VARS[source][0] if not env.get(v)]
                console.print(f"[red]✗[/red] {source}: credentials missing ({', '.join(missing)}): {HOW_TO[source]}")
                code = 3
        if code:
            return code
    if cfg.sources.files.enabled:
        folder = cfg.resolve(cfg.sources.files.folder)
        if not folder.is_dir() and not sandbox_needed(cfg, env):
            console.print(f"[red]✗[/red] files: input folder {folder} does not exist (sources.files.folder)")
            code = 1
    with runtime(cfg) as rt:
        if rt.sandbox is not None:
            console.print("[green]✓[/green] no CRM credentials set: testing against the built-in sandbox")
        from connectors.common.errors import AuthError, ConnectorError
        from connectors.runner import connector_module

        for source in enabled:
            try:
                module = connector_module(source)
                client = module.Client(module.Settings.from_env(rt.env))
                detail = client.check_connection()
                console.print(f"[green]✓[/green] {source}: connected ({detail})")
            except AuthError as exc:
                console.print(f"[red]✗[/red] {source}: {exc}")
                code = code or 3
            except ConnectorError as exc:
                console.print(f"[red]✗[/red] {source}: {exc}")
                code = code or (3 if "missing" in str(exc).lower() else 1)
            except Exception as exc:  # noqa: BLE001 - doctor reports everything
                console.print(f"[red]✗[/red] {source}: {type(exc).__name__}: {exc}")
                code = code or 1
        if cfg.sources.files.enabled:
            folder = cfg.resolve(cfg.sources.files.folder)
            if folder.is_dir():
                files = sorted(p.name for p in folder.glob("*.csv"))
                console.print(f"[green]✓[/green] files: {folder} holds {len(files)} CSV file(s)")
        wh = rt.warehouse
        try:
            wh.parent.mkdir(parents=True, exist_ok=True)
            probe = wh.parent / ".write-probe"
            probe.write_text("ok")
            probe.unlink()
            console.print(f"[green]✓[/green] warehouse folder {wh.parent} is writable")
        except OSError as exc:
            console.print(f"[red]✗[/red] warehouse folder {wh.parent} is not writable: {exc}")
            code = code or 1
    return code
