# OGI Warehouse. Quick start: `make run`, then `make test`. Every target bootstraps .venv itself.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
SHARED ?= ../shared
export DAGSTER_HOME := $(CURDIR)/.dagster_home
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1

.PHONY: run test test-slow lint format manifest dev docs accuracy bench clean help

help:
	@echo "make run        build warehouse/ogi.duckdb from raw/ (creates .venv on first use)"
	@echo "make test       lint, then the whole test suite (slow benchmark-size tests excluded)"
	@echo "make lint       ruff (lint + format check), mypy, sqlfluff: what CI enforces"
	@echo "make format     ruff format + ruff --fix + sqlfluff fix"
	@echo "make dev        open the Dagster UI on http://127.0.0.1:3000"
	@echo "make docs       dbt docs as one static HTML file: warehouse/docs/target/static_index.html"
	@echo "make accuracy   score the parser against the answer keys in $(SHARED)/answers"
	@echo "make bench      benchmark: parse throughput, full/incremental/no-change refresh"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@rm -f $(VENV)/.installed-* && touch $@

# dagster-dbt reads dbt's manifest when the definitions are imported: build it first.
manifest: $(STAMP)
	@cd dbt && ../$(BIN)/dbt parse --quiet --project-dir . --profiles-dir . \
	  || ../$(BIN)/dbt parse --project-dir . --profiles-dir .

run: manifest
	$(BIN)/ogi refresh

test: lint manifest
	$(BIN)/python -m pytest

PY_SOURCES := dagster_project scripts tests

lint: $(STAMP)
	$(BIN)/ruff check $(PY_SOURCES)
	$(BIN)/ruff format --check $(PY_SOURCES)
	$(BIN)/mypy
	$(BIN)/sqlfluff lint dbt

format: $(STAMP)
	$(BIN)/ruff format $(PY_SOURCES)
	$(BIN)/ruff check --fix $(PY_SOURCES)
	$(BIN)/sqlfluff fix dbt

test-slow: manifest
	$(BIN)/python -m pytest -m slow

dev: manifest
	$(BIN)/dagster dev -m dagster_project.definitions -h 127.0.0.1 -p 3000

# dbt docs opens its database read-write: `ogi docs` documents a copy of the published warehouse.
docs: manifest
	@test -f warehouse/ogi.duckdb || $(BIN)/ogi refresh
	$(BIN)/ogi docs

accuracy: $(STAMP)
	$(BIN)/python scripts/accuracy.py --shared $(SHARED)

bench: manifest
	$(BIN)/python scripts/bench.py

clean:
	rm -rf warehouse/staging warehouse/build warehouse/docs warehouse/ogi.duckdb dbt/target dbt/logs
