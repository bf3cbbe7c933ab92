# Accounting Practitioner Registry — set-up, run, test, benchmark.
# `make run` and `make test` do everything on a fresh machine.

SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_N ?= 3000
BENCH_N ?= 100000
PG_URL ?= postgres://postgres@127.0.0.1:5432
# Debian packages: what the product needs to run (Chinese fonts; HarfBuzz's subsetter, without
# which WeasyPrint takes seconds per Chinese page), what `make bench` adds (wrk, the HTTP load
# of its lookup-against-a-bare-view figures), and what only tests and development need
# (the browser of the e2e tests, pdftoppm/pdftotext, msgfmt, and a Java runtime for the Nu HTML
# checker's vnu.jar, which the development lock brings, unless a java is on PATH already).
RUNTIME_SYSTEM_PACKAGES := fonts-noto-cjk libharfbuzz-subset0
TEST_SYSTEM_PACKAGES := chromium poppler-utils gettext zbar-tools $(if $(shell command -v java),,default-jre-headless)
RUNTIME_LOCK := requirements/runtime.txt
DEV_LOCK := requirements/dev.txt
LOAD_LOCK := requirements/load.txt

# A Python >= 3.12 that really starts (a pyenv shim may exist and still fail).
find_python = $(firstword $(foreach p,$(PYTHON) python3.13 python3.12 \
	$(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python) $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python) \
	$(wildcard /usr/local/bin/python3.1[3-9]) python3, \
	$(shell $(p) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1 && echo $(p))))

.PHONY: help deps dev-deps system-deps test-system-deps run dev test bench load profile lint lock messages screenshots reset clean port-free

help:
	@echo "make run    — install, migrate, seed demo data, serve http://$(HOST):$(PORT)"
	@echo "make dev    — the same with Django's debug pages (for development)"
	@echo "make test   — install and run the whole test suite (SQLite, or DATABASE_URL)"
	@echo "make bench  — seed PostgreSQL with BENCH_N=$(BENCH_N) practitioners and measure"
	@echo "make load   — the deadline-day peak: two gunicorn servers + workers under locust, 10 min"
	@echo "make profile — where a journey's server CPU goes, page by page (one process)"
	@echo "make deps   — what a production server needs: runtime packages only"

# The virtualenv, with a Python >= 3.12 that really starts (a pyenv shim may exist and still fail).
$(VENV)/bin/python:
	@py="$(call find_python)"; \
	if [ -z "$$py" ]; then \
	  echo "ERROR: Python >= 3.12 is needed (Django 6.1). Install it (e.g. 'pyenv install 3.13') or run 'make PYTHON=/path/to/python3.12'." >&2; exit 1; \
	fi; \
	echo "Using $$py ($$($$py -c 'import sys; print(sys.version.split()[0])'))"; \
	$$py -m venv $(VENV)

# Pinned, hash-checked packages: the runtime lock on a server, the development lock (runtime
# included) for tests and development.
$(VENV)/.runtime-installed: $(RUNTIME_LOCK) | $(VENV)/bin/python
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r $(RUNTIME_LOCK)
	@touch $@

$(VENV)/.dev-installed: $(DEV_LOCK) | $(VENV)/bin/python
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r $(DEV_LOCK)
	@touch $@ $(VENV)/.runtime-installed

# The load generator, for `make load` only (the development lock, plus locust and its gevent).
$(VENV)/.load-installed: $(LOAD_LOCK) $(VENV)/.dev-installed
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r $(LOAD_LOCK)
	@touch $@

# Missing Debian packages, installed when run as root; waits while another process holds the
# package manager's lock (scripts/apt-install).
install_system_packages = @scripts/apt-install $(1)

system-deps:
	$(call install_system_packages,$(RUNTIME_SYSTEM_PACKAGES))

test-system-deps:
	$(call install_system_packages,$(RUNTIME_SYSTEM_PACKAGES) $(TEST_SYSTEM_PACKAGES))

deps: system-deps $(VENV)/.runtime-installed

dev-deps: test-system-deps $(VENV)/.dev-installed

# The product as someone trying it meets it: its own error pages, not Django's debug pages.
# The background worker runs beside the server (printed forms, mails) and stops with it.
run: deps port-free
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --practitioners $(DEMO_N)
	TASKS_BACKEND=database $(PY) manage.py worker --verbosity 0 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DEBUG=false TASKS_BACKEND=database $(PY) manage.py runserver $(HOST):$(PORT)

# Says so at once, before the demo is loaded, when another program serves on the port.
port-free:
	@if $(PY) -c 'import socket,sys; s=socket.socket(); sys.exit(s.connect_ex(("$(HOST)", $(PORT))) != 0)'; then \
	  echo "Port $(PORT) is taken by another program: run 'make run PORT=8001' (or stop that program)." >&2; exit 1; \
	fi

# The same for development: Django's debug pages and reloading templates.
dev: dev-deps port-free
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --practitioners $(DEMO_N)
	DEBUG=true $(PY) manage.py runserver $(HOST):$(PORT)

# On every core (pytest-xdist; TEST_WORKERS=0 runs in one process, e.g. to use a debugger).
TEST_WORKERS ?= auto
test: dev-deps
	$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

bench: deps
	$(call install_system_packages,wrk)
	@psql "$(PG_URL)/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='registry_bench'" | grep -q 1 \
	  || psql "$(PG_URL)/postgres" -c "CREATE DATABASE registry_bench" >/dev/null
	DATABASE_URL=$(PG_URL)/registry_bench DJANGO_SETTINGS_MODULE=accounting_registry.settings.bench \
	  BENCH_N=$(BENCH_N) $(PY) bench/run.py

# The deadline day's peak on this machine (not part of `make test`): a fresh registry_load
# database and a seeded register, two gunicorn servers with the production settings and the
# workers (at a lower CPU priority), simulated practitioners and clerks (locust) at about 85
# requests a second for 10 minutes; then the queue drained and every submission checked in the
# database. Figures in load/results.md, .json and .svg; LOAD_* variables tune it (load/run.py).
load: dev-deps $(VENV)/.load-installed
	PG_URL=$(PG_URL) $(PY) load/run.py

# The load's journeys in one process with the production settings: CPU time and SQL queries per
# page (load/cpu_profile.py; PROFILE_ARGS="--cprofile out.prof" for a profile of every page).
profile: dev-deps
	PG_URL=$(PG_URL) $(PY) load/cpu_profile.py --queries $(PROFILE_ARGS)

# Every kind of page (1366 and 390 px wide) and PDF, as PNG, in test-artifacts/screens/.
screenshots: dev-deps
	$(PY) scripts/screenshots.py

# Style, the layers (import-linter's contracts in pyproject.toml: core at the bottom, the apps
# in their order, the project package on top, no app using another's private names) and the
# types of the services, selectors and permissions (mypy, [tool.mypy] in pyproject.toml).
lint: dev-deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

# Regenerate both locks from pyproject.toml (with every file's hash), in a throw-away virtualenv
# holding only pip-tools. The development lock is constrained by the runtime one, so that tests
# run on exactly the versions a server installs.
LOCK_OPTIONS := --quiet --generate-hashes --strip-extras --allow-unsafe --no-emit-index-url --no-emit-find-links
lock:
	rm -rf /tmp/registry-lock && "$(call find_python)" -m venv /tmp/registry-lock
	/tmp/registry-lock/bin/pip install --quiet pip-tools
	/tmp/registry-lock/bin/pip-compile $(LOCK_OPTIONS) --output-file=$(RUNTIME_LOCK) pyproject.toml
	/tmp/registry-lock/bin/pip-compile $(LOCK_OPTIONS) --extra=dev --constraint=$(RUNTIME_LOCK) \
	  --output-file=$(DEV_LOCK) pyproject.toml
	/tmp/registry-lock/bin/pip-compile $(LOCK_OPTIONS) --extra=dev --extra=load --constraint=$(DEV_LOCK) \
	  --output-file=$(LOAD_LOCK) pyproject.toml
	rm -rf build *.egg-info

# Refresh and compile translations (the compiled .mo files are committed).
messages: dev-deps
	$(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=static --ignore=tests
	$(PY) manage.py compilemessages --ignore=.venv

# The demo's data from scratch at the next `make run` (the SQLite database and its files).
reset:
	rm -rf db.sqlite3 media/

clean: reset
	rm -rf $(VENV) .pytest_cache
