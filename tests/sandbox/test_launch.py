"""The sandbox's three servers as one: a new API day makes every daily budget whole again."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import requests

from sandbox.generator import generate, render
from sandbox.launch import SANDBOX_TOKENS, Sandbox


def test_a_new_day_makes_every_servers_daily_budget_whole_again(tmp_path: Path) -> None:
    dataset = render(generate(seed=5, size="tiny", as_of=date(2026, 9, 15)), truth=False)
    with Sandbox(dataset, tmp_path / "tls") as sb:
        hubspot, pipedrive, salesforce = (sb.servers[c] for c in ("hubspot", "pipedrive", "salesforce"))
        requests.get(f"{hubspot.base_url}/crm/v3/objects/deals", timeout=30,
                     headers={"Authorization": f"Bearer {SANDBOX_TOKENS['hubspot']}"}).raise_for_status()
        requests.get(f"{pipedrive.base_url}/api/v2/deals", timeout=30,
                     headers={"Authorization": f"Bearer {SANDBOX_TOKENS['pipedrive']}"}).raise_for_status()
        requests.get(f"{salesforce.base_url}/services/data/v59.0/limits", timeout=30, verify=str(sb.tls.ca_cert),
                     headers={"Authorization": f"Bearer {SANDBOX_TOKENS['salesforce']}"}).raise_for_status()
        used = (hubspot.daily_used, pipedrive.tokens_used, salesforce.api_used)
        sb.new_day()
        assert all(u > 0 for u in used), used
        assert (hubspot.daily_used, pipedrive.tokens_used, salesforce.api_used) == (0, 0, 0)
