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

# The generator's large company (about 22 million records): hours, bounded by the APIs' limits.
bench-large: $(STAMP)
	$(PY) benchmarks/run.py --sizes small,large --repeats 1 --concurrent-syncs large

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
