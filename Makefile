# TrialFinder: `make run` serves the site on http://127.0.0.1:8000, `make test` runs every test.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HTMX_VERSION := 2.0.11
AXE_VERSION := 4.11.0

.PHONY: run test lint format install worker stop-db vendor clean api-fuzz

# DEBUG is off unless switched on; these targets are for development.
run test worker stop-db: export DJANGO_DEBUG ?= true

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "TrialFinder needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet --editable . --group dev
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_if_empty
	@echo "TrialFinder: http://127.0.0.1:8000/  (Ctrl-C stops it; e-mails print here)"
	$(PY) manage.py db_worker --interval 2 & trap 'kill %1 2>/dev/null' EXIT INT TERM; \
		$(PY) manage.py runserver 127.0.0.1:8000

worker: install
	$(PY) manage.py db_worker

test: install
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

# schemathesis against ClinicalTrials.gov's API v2 description, ten times the test suite's run.
api-fuzz: install
	API_FUZZ_EXAMPLES=10 $(PY) -m pytest tests/test_api_v2_schemathesis.py $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

stop-db: install
	$(PY) manage.py stop_embedded_db

vendor:
	cd /tmp && npm pack htmx.org@$(HTMX_VERSION) axe-core@$(AXE_VERSION)
	tar -xzOf /tmp/htmx.org-$(HTMX_VERSION).tgz package/dist/htmx.min.js > static/vendor/htmx-$(HTMX_VERSION).min.js
	tar -xzOf /tmp/axe-core-$(AXE_VERSION).tgz package/axe.min.js > tests/vendor/axe-$(AXE_VERSION).min.js

clean:
	rm -rf $(VENV) .pytest_cache staticfiles
