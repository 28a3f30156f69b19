"""A sync in its own process, for the tests that kill it or run it on a broken disk.

    python -m tests.reliability.child_sync '<json>'

The JSON names the CRM, the environment, the warehouse, the pipelines folder and `full_refresh`. The
child prints `started` once its imports are done, then one JSON line with the outcome and message, or
with the exception if `sync_crm` raised."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    args = json.loads(argv[1])
    from connectors.runner import sync_crm
    from tests.reliability.harness import client_factory

    print("started", flush=True)
    try:
        result = sync_crm(args["crm"], args["env"], Path(args["warehouse"]), Path(args["pipelines"]),
                          full_refresh=bool(args.get("full_refresh")),
                          client_factory=client_factory(args["crm"]))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which judges it
        print(json.dumps({"raised": type(exc).__name__, "message": str(exc)}), flush=True)
        return 1
    print(json.dumps({"outcome": result.outcome, "message": result.message, "run_id": result.run_id,
                      "requests": result.requests}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
