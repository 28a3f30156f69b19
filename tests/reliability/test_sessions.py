"""Expired sessions and revoked tokens in the middle of a sync. Salesforce with a login flow renews its
session and finishes; with a fixed access token (and for HubSpot's and Pipedrive's tokens, which do not
expire) the run stops, tells the operator which variable to renew, and the next run completes."""

from __future__ import annotations

import pytest

from sandbox.dataset import Dataset
from tests.reliability.harness import CountingFaults, available_crms, client_factory

pytestmark = pytest.mark.reliability
CRMS = available_crms()
TOKEN_VARIABLE = {"salesforce": "SALESFORCE_ACCESS_TOKEN", "hubspot": "HUBSPOT_ACCESS_TOKEN",
                  "pipedrive": "PIPEDRIVE_API_TOKEN"}


@pytest.mark.parametrize("crm", CRMS)
def test_a_token_refused_mid_sync_stops_with_what_to_renew_and_the_next_run_completes(rig, crm: str) -> None:
    faults = CountingFaults(trigger_after=12, burst=["expire_session"])
    r = rig(crm, "session expired / token refused mid-sync", faults=faults)
    result = r.sync()
    r.check(result, outcome="failed", dataset=Dataset())  # nothing of this CRM landed yet
    assert TOKEN_VARIABLE[crm] in result.message, result.message
    if crm == "salesforce":  # the fault revoked every session: the operator sets a new token
        r.env["SALESFORCE_ACCESS_TOKEN"] = r.server.new_access_token()
    r.check(r.sync())
    assert r.faults.counts["expire_session"] == 1


@pytest.mark.skipif("salesforce" not in CRMS, reason="the Salesforce connector does not import")
def test_salesforce_logs_in_again_when_its_session_expires_mid_sync(rig) -> None:
    faults = CountingFaults(trigger_after=15, burst=["expire_session"])
    r = rig("salesforce", "session expired mid-sync (password login renews)", faults=faults)
    creds = r.server.credentials
    env = {"SALESFORCE_USERNAME": creds.username, "SALESFORCE_PASSWORD": creds.password,
           "SALESFORCE_SECURITY_TOKEN": creds.security_token, "SALESFORCE_CA_BUNDLE": str(r.tls.ca_cert)}
    factory = client_factory("salesforce", sleeper=r.sleeper, session_for=r.server)
    r.check(r.sync(env=env, factory=factory))
    assert r.faults.counts["expire_session"] == 1
    logins = r.server.request_count("/services/Soap/")
    r.advance(1)
    r.faults.inject_after(6, ["expire_session"])  # after the login, in the middle of the reads
    r.check(r.sync(env=env, factory=factory))
    assert r.faults.counts["expire_session"] == 2
    assert r.server.request_count("/services/Soap/") >= logins + 2  # a new login, then a renewal
