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

.PHONY: run test test-slow lint format manifest dev daemon dashboard system-packages browser docs accuracy bench clean help

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
	@cd dbt && ../$(BIN)/dbt parse --quiet --no-partial-parse --project-dir . --profiles-dir . \
	  || ../$(BIN)/dbt parse --project-dir . --profiles-dir .

run: manifest
	$(BIN)/ogi refresh

# Test files run in parallel, one worker per core; a file's tests stay together (its fixtures are
# built once). `make test PYTEST_WORKERS=0` runs them in this process, one after another.
PYTEST_WORKERS ?= auto
test: lint manifest system-packages
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile

# Debian packages: chromium and CJK fonts for the dashboard's browser test (Playwright cannot
# download its browsers here); LibreOffice Writer, which converts legacy .doc/.wps/RTF reports to
# DOCX; poppler-utils (pdftotext, pdftoppm); a CJK font the test PDFs are drawn with. Installed when running as root, as CI does; otherwise
# the missing ones are named: the tests needing them skip, .doc/.wps files get doc_needs_converter.
system-packages:
	@browser=""; office=""; \
	command -v chromium >/dev/null || browser="chromium"; \
	fc-list :lang=zh 2>/dev/null | grep -q . || browser="$$browser fonts-noto-cjk"; \
	command -v soffice >/dev/null || office="libreoffice-writer-nogui"; \
	command -v pdftotext >/dev/null || office="$$office poppler-utils"; \
	[ -e /usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf ] || office="$$office fonts-droid-fallback"; \
	missing=$$(echo $$browser $$office); \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
	  echo "not root: skipping the install of $$missing (tests needing them will skip; .doc/.wps reports stay unread)"; \
	  exit 0; \
	fi; \
	export DEBIAN_FRONTEND=noninteractive; apt-get update -qq \
	  && { [ -z "$$browser" ] || apt-get install -y -qq $$browser >/dev/null; } \
	  && { [ -z "$$office" ] || apt-get install -y -qq --no-install-recommends $$office >/dev/null; } \
	  || echo "could not install $$missing: tests needing them will skip"

browser: system-packages

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
