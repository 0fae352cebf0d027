# OGI Warehouse. Quick start: `make run`, then `make test`. Every target bootstraps .venv itself.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
SHARED ?= ../shared
DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export DAGSTER_HOME
DEV_PORT ?= 3000
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1

.PHONY: run test test-slow lint format manifest dev daemon dashboard browser docs accuracy bench clean help

help:
	@echo "make run        build warehouse/ogi.duckdb from raw/ (creates .venv on first use)"
	@echo "make test       lint, then the whole test suite (slow benchmark-size tests excluded)"
	@echo "make lint       ruff (lint + format check), mypy, sqlfluff: what CI enforces"
	@echo "make format     ruff format + ruff --fix + sqlfluff fix"
	@echo "make dev        the Dagster UI on http://127.0.0.1:3000, with the schedule and the raw/ sensor"
	@echo "make daemon     the daily schedule and the raw/ sensor, without the UI"
	@echo "make dashboard  the analysts' dashboard on http://127.0.0.1:8501 (read-only)"
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

test: lint manifest browser
	$(BIN)/python -m pytest

# Debian's chromium and CJK fonts for the dashboard's browser test (Playwright cannot download its
# browsers here). Installed when running as root, as CI does; otherwise that test skips and says why.
browser:
	@command -v chromium >/dev/null && fc-list :lang=zh 2>/dev/null | grep -q . || { [ "$$(id -u)" = 0 ] \
	  && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; } \
	  || echo "chromium or fonts-noto-cjk missing (not root): the browser test will be skipped"

dashboard: manifest
	$(BIN)/ogi dashboard

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

# The venv's bin/ on PATH: the dbt resource finds `dbt`, and the UI's run workers find `dagster`.
dev: manifest
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/dagster dev -m dagster_project.definitions -h 127.0.0.1 -p $(DEV_PORT)

# The schedule and the raw/ sensor without the UI (what `make dev` also runs).
daemon: manifest
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/dagster-daemon run -m dagster_project.definitions

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
