# Big Society: the two commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/postgres
export TEST_POSTGRES_URL
# The unit suite runs on this many processes (pytest-xdist); the machine has two cores.
PYTEST_WORKERS ?= 2

.PHONY: run test install install-dev lint format types imports migrations-check \
        test-sqlite test-postgres test-browser chromium bench openapi clean help

help:
	@echo "make run    - set up, migrate, load the demo area and serve http://127.0.0.1:8000"
	@echo "make test   - lint, types, import contracts, migrations, suite on SQLite and PostgreSQL, browser tests"
	@echo "make bench  - run the benchmarks (results in bench/results/)"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $(VENV)/.installed-run $@

install: $(VENV)/.installed-run
install-dev: $(VENV)/.installed-dev

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	bash scripts/run.sh

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

types: install-dev
	$(VENV)/bin/mypy bigsociety config

imports: install-dev
	$(VENV)/bin/lint-imports

migrations-check: install-dev
	DJANGO_SETTINGS_MODULE=config.settings.test DATABASE_URL= $(PY) manage.py makemigrations --check --dry-run

openapi: install-dev
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py export_openapi_schema --api config.api.api --indent 2 --sorted > docs/openapi.json

openapi-check: install-dev
	@DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py export_openapi_schema --api config.api.api --indent 2 --sorted > var/openapi.json
	@diff -q docs/openapi.json var/openapi.json >/dev/null || { echo "docs/openapi.json is out of date: run make openapi"; diff docs/openapi.json var/openapi.json | head -20; exit 1; }

test-sqlite: install-dev
	DATABASE_URL= $(VENV)/bin/pytest -n $(PYTEST_WORKERS)

test-postgres: install-dev
	@if $(PY) scripts/pg_ready.py "$(TEST_POSTGRES_URL)"; then \
		DATABASE_URL="$(TEST_POSTGRES_URL)" $(VENV)/bin/pytest -n $(PYTEST_WORKERS); \
	elif [ "$$CI" = "true" ]; then \
		echo "PostgreSQL is not reachable at $(TEST_POSTGRES_URL): under CI that is a failure."; exit 1; \
	else \
		echo "PostgreSQL is not reachable at $(TEST_POSTGRES_URL): skipping the PostgreSQL run (set TEST_POSTGRES_URL)."; \
	fi

chromium:
	@command -v chromium >/dev/null || { echo "Installing Debian's chromium…"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test-browser: install-dev chromium
	DATABASE_URL= $(VENV)/bin/pytest e2e -p no:cacheprovider

test: lint types imports migrations-check openapi-check test-sqlite test-postgres test-browser
	@echo "make test: all checks passed."

bench: install-dev
	bash bench/run_all.sh

clean:
	rm -rf $(VENV) var/static .pytest_cache .mypy_cache .ruff_cache
