"""Start the sandbox: make (or reuse) the demo company's dataset and serve it on local ports.

Used by `revops demo`, `revops sandbox serve`, the tests and the benchmarks. The environment it returns
points the connectors at the servers exactly as real credentials would point them at the CRMs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sandbox.dataset import Dataset
from sandbox.servers.tls import ensure_tls_files

SANDBOX_TOKENS = {
    "salesforce": "00DSANDBOX!sandbox-salesforce-session",
    "hubspot": "pat-sandbox-hubspot-token",
    "pipedrive": "sandbox-pipedrive-token",
}


def ensure_dataset(folder: Path, *, seed: int = 42, size: str = "small", as_of: date | None = None,
                   fiscal_year_start_month: int = 2, corporate_currency: str = "EUR",
                   scenario: str | None = None) -> Dataset:
    """The dataset saved in `folder` if it was made with the same settings, else a new one (saved).
    `scenario` names a change to the company's future (`sandbox.generator.settings.SCENARIOS`)."""
    folder = Path(folder)
    from sandbox.generator.settings import GENERATOR_VERSION

    # a dataset without a scenario has no "scenario" key in its meta, hence None
    wanted = {"seed": seed, "size": size, "fiscal_year_start_month": fiscal_year_start_month,
              "corporate_currency": corporate_currency, "generator_version": GENERATOR_VERSION,
              "scenario": scenario}
    meta_path = folder / "meta.json"
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if all(meta.get(k) == v for k, v in wanted.items()) and (as_of is None or meta.get("as_of", "")[:10] == str(as_of)):
            return Dataset.load(folder)
    from sandbox.generator import generate, render

    world = generate(seed=seed, size=size, as_of=as_of, fiscal_year_start_month=fiscal_year_start_month,
                     corporate_currency=corporate_currency, scenario=scenario)
    dataset = render(world)
    dataset.save(folder)
    return dataset


@dataclass
class Sandbox:
    """The three CRM servers serving one dataset."""

    dataset: Dataset
    tls_dir: Path
    servers: dict[str, Any] = field(default_factory=dict)

    def start(self) -> Sandbox:
        from sandbox.servers.hubspot import HubSpotServer
        from sandbox.servers.pipedrive import PipedriveServer
        from sandbox.servers.salesforce import SalesforceServer

        tls = ensure_tls_files(self.tls_dir)
        self.tls = tls
        self.servers["salesforce"] = SalesforceServer(
            self.dataset, tls=(tls.server_cert, tls.server_key), access_token=SANDBOX_TOKENS["salesforce"]
        ).start()
        self.servers["hubspot"] = HubSpotServer(self.dataset, token=SANDBOX_TOKENS["hubspot"]).start()
        self.servers["pipedrive"] = PipedriveServer(self.dataset, token=SANDBOX_TOKENS["pipedrive"]).start()
        return self

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()
        self.servers.clear()

    def new_day(self) -> None:
        """Start a new API day on every server (daily budgets whole again), as after a day step."""
        for server in self.servers.values():
            server.reset_usage()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def env(self) -> dict[str, str]:
        """Environment variables that point the connectors at these servers."""
        return {
            "SALESFORCE_INSTANCE_URL": self.servers["salesforce"].base_url,
            "SALESFORCE_ACCESS_TOKEN": SANDBOX_TOKENS["salesforce"],
            "REQUESTS_CA_BUNDLE": str(self.tls.ca_cert),
            "SALESFORCE_CA_BUNDLE": str(self.tls.ca_cert),
            "HUBSPOT_ACCESS_TOKEN": SANDBOX_TOKENS["hubspot"],
            "HUBSPOT_API_BASE_URL": self.servers["hubspot"].base_url,
            "PIPEDRIVE_API_TOKEN": SANDBOX_TOKENS["pipedrive"],
            "PIPEDRIVE_API_BASE_URL": self.servers["pipedrive"].base_url,
        }


def write_inputs(dataset: Dataset, folder: Path) -> list[Path]:
    """Write the dataset's input CSV files (quotas, HR, absences, surveys, rates, targets)."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, text in dataset.inputs.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        out.append(path)
    return out
