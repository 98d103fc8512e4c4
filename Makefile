# Relais — usual commands. `make demo` to try it, `make test` to check it.
#
# Variables you may override:
#   DATABASE_URL=postgres://user@host:5432/db   PostgreSQL instead of SQLite (demo and tests)
#   PYTEST_WORKERS=0                             run the suite in one process (default: 2)
#   PYTEST_ARGS="-k siao_06 -x"                  extra pytest arguments
#   DEMO_ADDR=0.0.0.0:8000                       where `make demo` listens

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium
# python3.11 if there is one, else python3 (whose version `install` checks).
SYSTEM_PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
IS_PY311 := -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'

DEMO_SETTINGS ?= config.settings.dev
DEMO_ADDR ?= 127.0.0.1:8000
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?=
PYTEST_XDIST := $(if $(filter-out 0,$(PYTEST_WORKERS)),-n $(PYTEST_WORKERS))

# The pip package "playwright" must never fetch its own browsers: we drive Debian's chromium.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: help install demo test test-browser lint quality

help:
	@echo "make install       crée .venv (Python 3.11) et installe requirements.lock"
	@echo "make demo          migre, charge le territoire de démonstration et lance le serveur"
	@echo "make test          toute la suite de tests (SQLite, ou DATABASE_URL)"
	@echo "make test-browser  tests dans chromium (Playwright)"
	@echo "make lint          ruff check + ruff format --check"
	@echo "make quality       lint + migrations à jour"

install: $(STAMP)

$(PY):
	@if [ -z "$(SYSTEM_PYTHON)" ]; then \
		echo "Python 3.11 introuvable : installez python3.11." >&2; exit 1; fi
	@$(SYSTEM_PYTHON) $(IS_PY311) || { \
		echo "$(SYSTEM_PYTHON) n'est pas Python 3.11 : installez python3.11." >&2; exit 1; }
	$(SYSTEM_PYTHON) -m venv $(VENV)

# Reinstalled only when requirements.lock changes (or .venv was removed).
$(STAMP): requirements.lock | $(PY)
	@$(PY) $(IS_PY311) || { \
		echo "$(VENV) n'utilise pas Python 3.11 : supprimez-le (rm -rf $(VENV)) et relancez." >&2; \
		exit 1; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	@touch $@

demo: install
	DJANGO_SETTINGS_MODULE=$(DEMO_SETTINGS) $(PY) manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=$(DEMO_SETTINGS) $(PY) manage.py load_demo
	DJANGO_SETTINGS_MODULE=$(DEMO_SETTINGS) $(PY) manage.py runserver $(DEMO_ADDR)

# pytest-django reads config.settings.test from pyproject.toml; an exported
# DJANGO_SETTINGS_MODULE would take precedence, hence `env -u`.
test: install
	env -u DJANGO_SETTINGS_MODULE $(PY) -m pytest $(PYTEST_XDIST) $(PYTEST_ARGS)

# `-m browser` on the command line overrides the `-m 'not browser'` of pyproject's addopts.
test-browser: install
	@test -x $(CHROMIUM) || { \
		echo "$(CHROMIUM) est absent : installez-le avec « apt-get install -y chromium »." >&2; \
		exit 1; }
	rm -rf artifacts/screenshots
	env -u DJANGO_SETTINGS_MODULE $(PY) -m pytest -m browser $(PYTEST_ARGS)
	@echo "Captures d'écran des parcours : artifacts/screenshots/"

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

quality: lint
	DJANGO_SETTINGS_MODULE=$(DEMO_SETTINGS) $(PY) manage.py makemigrations --check --dry-run
