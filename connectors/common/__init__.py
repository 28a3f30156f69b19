"""What every connector shares: typed errors, retries with backoff, an HTTP session, record parsing
and quarantine of bad records."""
