# Two commands matter on a fresh machine: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

export DAGSTER_HOME ?= $(CURDIR)/data/dagster_home
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
export RUNTIME__DLTHUB_TELEMETRY := false
export GX_ANALYTICS_ENABLED := false

.PHONY: install demo test test-slow reliability bench bench-large dev lint docs clean

$(STAMP): requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/revops demo

test: $(STAMP)
	$(PY) -m pytest

test-slow: $(STAMP)
	$(PY) -m pytest -m slow

reliability: $(STAMP)
	$(PY) -m pytest -m reliability

bench: $(STAMP)
	$(PY) benchmarks/run.py

# The generator's large company (about 22 million records): hours, bounded by the APIs' limits. One
# CRM per run (its sandbox server alone in a process: HubSpot's takes about 20 GB at this size), the
# build and marts on the Salesforce share, then one report of all the runs. Pipedrive runs three
# simulated days: its full sync needs about three days of the default daily token budget.
BENCH := benchmarks/results
bench-large: $(STAMP)
	$(PY) benchmarks/run.py --sizes small --repeats 2 --out $(BENCH)/small
	$(PY) benchmarks/run.py --sizes large --crms salesforce --repeats 1 --skip-demo --out $(BENCH)/large-salesforce
	$(PY) benchmarks/run.py --sizes large --crms pipedrive --repeats 1 --days 3 --skip-dbt --skip-demo --skip-marts --out $(BENCH)/large-pipedrive
	$(PY) benchmarks/run.py --sizes large --crms hubspot --repeats 1 --skip-dbt --skip-demo --skip-marts --out $(BENCH)/large-hubspot
	$(PY) -m benchmarks.report --merge $(BENCH)/small/bench.json $(BENCH)/large-salesforce/bench.json:large \
	    $(BENCH)/large-pipedrive/bench.json:large $(BENCH)/large-hubspot/bench.json:large --out $(BENCH)

# The Dagster UI on http://127.0.0.1:3000 (dbt manifest prepared first; sandbox when no credentials).
dev: $(STAMP)
	$(VENV)/bin/revops dev --port $(or $(PORT),3000)

# sqlfluff compiles the dbt project against an empty in-memory DuckDB: the result never depends on
# what a local warehouse holds, and a running pipeline's lock on the warehouse file cannot block it.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy connectors revops/config.py
	DBT_DUCKDB_PATH=:memory: $(VENV)/bin/sqlfluff lint dbt_project

# dbt docs (manifest + catalog of the warehouse) in data/dbt_docs; serve with
# `dbt docs serve --project-dir dbt_project --profiles-dir dbt_project --target-path data/dbt_docs`.
DOCS_WAREHOUSE ?= $(or $(DBT_DUCKDB_PATH),$(REVOPS_WAREHOUSE_PATH),data/warehouse.duckdb)
docs: $(STAMP)
	mkdir -p data
	DBT_DUCKDB_PATH=$(DOCS_WAREHOUSE) $(VENV)/bin/dbt docs generate --project-dir dbt_project \
		--profiles-dir dbt_project --target-path $(CURDIR)/data/dbt_docs --log-path $(CURDIR)/data/dbt_logs

clean:
	rm -rf data/ dbt_project/target dbt_project/logs
