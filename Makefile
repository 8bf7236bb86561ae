# Two commands do everything: `make run` serves the platform with demo data, `make test` runs the suite.
# Everything else here is a step they share.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
NPM ?= npm
HOST ?= 127.0.0.1
PORT ?= 8000

PY_STAMP := $(VENV)/.requirements-installed
FRONTEND_STAMP := frontend/node_modules/.installed
FRONTEND_BUILD := annotation_platform/static_build/frontend/.vite/manifest.json
FRONTEND_SOURCES := $(shell find frontend/src frontend/index.html frontend/vite.config.ts frontend/tsconfig.json -type f 2>/dev/null)

.PHONY: run test install frontend lint bench services clean

run: install frontend
	mkdir -p $${APP_DATA_DIR:-var}
	DJANGO_SETTINGS_MODULE=annotation_platform.settings.dev $(PY) manage.py migrate --noinput
	DJANGO_SETTINGS_MODULE=annotation_platform.settings.dev $(PY) manage.py collectstatic --noinput -v 0
	DJANGO_SETTINGS_MODULE=annotation_platform.settings.dev $(PY) manage.py load_demo
	DJANGO_SETTINGS_MODULE=annotation_platform.settings.dev $(PY) manage.py run_platform --host $(HOST) --port $(PORT)

test: install frontend services
	$(VENV)/bin/ruff check .
	cd frontend && $(NPM) test --silent
	DJANGO_SETTINGS_MODULE=annotation_platform.settings.test $(VENV)/bin/pytest $(PYTEST_ARGS)

install: $(PY_STAMP)

$(PY_STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

frontend: $(FRONTEND_BUILD)

$(FRONTEND_STAMP): frontend/package.json frontend/package-lock.json
	cd frontend && $(NPM) ci --no-audit --no-fund --loglevel=error
	touch $@

$(FRONTEND_BUILD): $(FRONTEND_STAMP) $(FRONTEND_SOURCES)
	cd frontend && $(NPM) run build

# PostgreSQL and Redis for the suite: start them when they are down (Debian service commands).
services:
	@scripts/ensure_services.sh

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: install frontend services
	DJANGO_SETTINGS_MODULE=annotation_platform.settings.test $(PY) bench/run_all.py

clean:
	rm -rf $(VENV) frontend/node_modules annotation_platform/static_build var
