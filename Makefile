# The two commands: `make run` (demo portal on http://127.0.0.1:8000) and `make test` (whole suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: run test test-shifted lint format browser-deps pdf-deps clean bench bench-quick screenshots

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

run: $(VENV)/.runtime-installed pdf-deps
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py seed_demo
	scripts/run-embedded.sh

browser-deps:
	scripts/ensure-chromium.sh

# The value report's PDF (WeasyPrint) needs Pango, HarfBuzz and a font from the system.
pdf-deps:
	scripts/ensure-pdf-libs.sh

test: $(VENV)/.dev-installed browser-deps pdf-deps
	$(VENV)/bin/pytest

# The suite on a clock moved far from today (CI runs it at two instants): CLOCK_AT=2027-07-01T12:00:00Z
test-shifted: $(VENV)/.dev-installed browser-deps pdf-deps
	$(VENV)/bin/pytest --clock-at=$${CLOCK_AT:-2027-07-01T12:00:00Z}

# A screenshot of each main page per role on the demo data (test-artifacts/screenshots/), with axe-core's figures.
screenshots: $(VENV)/.dev-installed browser-deps
	$(VENV)/bin/python -m tests.browser.screenshots --axe $(if $(OUT),--out $(OUT))

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
