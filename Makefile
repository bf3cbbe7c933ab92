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
SYSTEM_PACKAGES := fonts-noto-cjk libharfbuzz-subset0 chromium poppler-utils gettext

# A Python >= 3.12 that really starts (a pyenv shim may exist and still fail).
find_python = $(firstword $(foreach p,$(PYTHON) python3.13 python3.12 \
	$(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python) $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python) \
	$(wildcard /usr/local/bin/python3.1[3-9]) python3, \
	$(shell $(p) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1 && echo $(p))))

.PHONY: help deps system-deps run test bench lint lock messages pdf-font clean

help:
	@echo "make run    — install, migrate, seed demo data, serve http://$(HOST):$(PORT)"
	@echo "make test   — install and run the whole test suite (SQLite, or DATABASE_URL)"
	@echo "make bench  — seed PostgreSQL with BENCH_N=$(BENCH_N) practitioners and measure"

$(VENV)/.installed: requirements.lock pyproject.toml
	@py="$(call find_python)"; \
	if [ -z "$$py" ]; then \
	  echo "ERROR: Python >= 3.12 is needed (Django 6.1). Install it (e.g. 'pyenv install 3.13') or run 'make PYTHON=/path/to/python3.12'." >&2; exit 1; \
	fi; \
	echo "Using $$py ($$($$py -c 'import sys; print(sys.version.split()[0])'))"; \
	[ -x $(PY) ] || $$py -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $@

system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	    echo "Installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "WARNING: missing system packages:$$missing — install them with: sudo apt-get install$$missing" >&2; \
	    echo "         (Chinese PDFs need fonts-noto-cjk and libharfbuzz-subset0; browser tests need chromium)" >&2; \
	  fi; \
	fi

deps: system-deps $(VENV)/.installed

run: deps
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --practitioners $(DEMO_N)
	$(PY) manage.py runserver $(HOST):$(PORT)

test: deps
	$(PY) -m pytest $(PYTEST_ARGS)

bench: deps
	@psql "$(PG_URL)/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='registry_bench'" | grep -q 1 \
	  || psql "$(PG_URL)/postgres" -c "CREATE DATABASE registry_bench" >/dev/null
	DATABASE_URL=$(PG_URL)/registry_bench DJANGO_SETTINGS_MODULE=accounting_registry.settings.bench \
	  BENCH_N=$(BENCH_N) $(PY) bench/run.py

lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Regenerate requirements.lock from pyproject.toml in a throw-away virtualenv.
lock:
	rm -rf /tmp/registry-lock && "$(call find_python)" -m venv /tmp/registry-lock
	/tmp/registry-lock/bin/pip install --quiet ".[dev]" && /tmp/registry-lock/bin/pip uninstall -y -q accounting-registry
	rm -rf build *.egg-info
	( echo "# Pinned versions of every dependency (runtime + dev). Regenerate with \`make lock\`."; \
	  /tmp/registry-lock/bin/pip freeze ) > requirements.lock

# Refresh and compile translations (the compiled .mo files are committed).
messages: deps
	$(PY) manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=static
	$(PY) manage.py compilemessages --ignore=.venv

# Rebuild the GB 2312 subset of Noto Sans CJK SC that the PDFs embed (committed under static/fonts/).
pdf-font: deps
	$(PY) scripts/build_pdf_font.py

clean:
	rm -rf $(VENV) db.sqlite3 media/ .pytest_cache
