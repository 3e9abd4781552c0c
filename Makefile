# Parley: the two commands of the README's Quick start, and a few helpers.
#   make run   create .venv, install pinned dependencies, migrate, load demo data when empty, serve
#   make test  the whole suite (SQLite by default; DATABASE_URL=postgres://... for PostgreSQL)
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
TEST_WORKERS ?= 2

.PHONY: run test lint format migrations-check workflow-diagram bench clean

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Parley needs Python 3.11, found " + sys.version.split()[0]' \
	  || { echo "Set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime-installed $@

run: $(VENV)/.runtime-installed
	DEBUG=1 $(PY) manage.py migrate --no-input
	DEBUG=1 $(PY) manage.py seed_demo --if-empty
	DEBUG=1 $(PY) manage.py demo_logins
	@echo "Parley is at http://$(HOST):$(PORT)/"
	DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.dev-installed
	SECRET_KEY=parley-test-only $(VENV)/bin/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: $(VENV)/.dev-installed
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

workflow-diagram: $(VENV)/.runtime-installed
	DEBUG=1 $(PY) manage.py workflow_diagram

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .hypothesis
