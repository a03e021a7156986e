# The two commands: `make run` (demo portal on http://127.0.0.1:8000) and `make test` (whole suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: run test lint format browser-deps clean bench bench-quick

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Reinstall only when a requirements file changed.
$(VENV)/.runtime-installed: requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime-installed $@

run: $(VENV)/.runtime-installed
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py seed_demo
	scripts/run-embedded.sh

browser-deps:
	scripts/ensure-chromium.sh

test: $(VENV)/.dev-installed browser-deps
	$(VENV)/bin/pytest

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.dev-installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) var staticfiles db.sqlite3 test-artifacts

# Benchmarks: ratios against baselines measured in the same run (bench/run.py, docs/performance.md). They need
# PostgreSQL and Redis on 127.0.0.1 and wrk (installed from Debian when missing).
bench: $(VENV)/.runtime-installed
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(PY) bench/run.py

bench-quick: $(VENV)/.runtime-installed
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(PY) bench/run.py --quick
