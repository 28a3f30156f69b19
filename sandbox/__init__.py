"""The sandbox: a generated demo company and local servers that speak the Salesforce, HubSpot and
Pipedrive wire protocols, so the demo and the tests run the production code paths."""
