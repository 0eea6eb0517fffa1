# Shuzhi (数治) — two commands do everything: `make demo` and `make test`.
# Everything else here is a step of those two.

SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
SHUZHI := $(VENV)/bin/shuzhi
SCALE ?= 1
HOST ?= 127.0.0.1
PORT ?= 8000

## lock: re-pin the Python dependencies after editing pyproject.toml (needs the registry).
lock: $(VENV)/.installed
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 \
	  --python-platform x86_64-manylinux_2_28 -o requirements.lock -q --custom-compile-command "make lock"

.PHONY: lock demo test deps system-packages lint types imports unit suites unit-sqlite unit-postgres browser messages clean

## demo: install what is missing, prepare the database, load the demo city and serve it.
demo: deps messages
	$(SHUZHI) migrate --no-input
	SHUZHI_DEMO_MODE=1 $(SHUZHI) demo --scale $(SCALE)
	@echo ""
	@echo "Shuzhi is starting on http://$(HOST):$(PORT)/ with a background worker  (Ctrl-C stops both)"
	SHUZHI_DEMO_MODE=1 $(SHUZHI) worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  SHUZHI_DEMO_MODE=1 $(SHUZHI) runserver --noreload $(HOST):$(PORT)

## test: every gate — lint, types, architecture, the suite on SQLite and PostgreSQL, browsers.
test: deps system-packages messages lint types imports suites browser
	@echo "make test: all gates passed"

deps: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check "uv==0.13.9"
	$(VENV)/bin/uv pip sync --quiet --python $(PY) --require-hashes requirements.lock
	$(VENV)/bin/uv pip install --quiet --python $(PY) --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

system-packages:
	scripts/system-packages.sh

messages: deps
	$(SHUZHI) compilemessages --ignore=.venv --ignore=node_modules -v 0

lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

types: deps
	$(VENV)/bin/mypy shuzhi

imports: deps
	$(VENV)/bin/lint-imports

unit: unit-sqlite

## suites: the suite on SQLite and on PostgreSQL side by side (one core each); each one's output
## is printed whole when it ends, and a failure of either fails the step.
suites: deps messages
	$(MAKE) --no-print-directory -j2 --output-sync=target unit-sqlite unit-postgres

unit-sqlite: deps messages
	$(PY) -m pytest -m "not browser" -p no:cacheprovider

unit-postgres: deps messages
	scripts/with-postgres.sh $(PY) -m pytest -m "not browser" -p no:cacheprovider

browser: deps messages
	$(PY) -m pytest -m browser -p no:cacheprovider tests/browser

clean:
	rm -rf $(VENV) node_modules var .pytest_cache .mypy_cache .ruff_cache
