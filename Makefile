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

.PHONY: install demo test test-slow reliability bench dev lint clean

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

# The Dagster UI on http://127.0.0.1:3000 (dbt manifest prepared first; sandbox when no credentials).
dev: $(STAMP)
	$(VENV)/bin/revops dev --port $(or $(PORT),3000)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy connectors

clean:
	rm -rf data/ dbt_project/target dbt_project/logs
