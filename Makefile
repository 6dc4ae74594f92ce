# Two commands set everything up on a fresh machine:
#   make run    — the portal with demo data on http://acme.localhost:8000, as production runs it:
#                 DEBUG off, gunicorn + whitenoise, a real Celery worker and beat (SQLite, and
#                 kombu's filesystem transport as broker: no service to install)
#   make test   — the whole test suite (PostgreSQL/Redis when DATABASE_URL/REDIS_URL are set)
# make dev     — the same data with Django's debug pages and runserver (tasks run eagerly)
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run dev test deps venv chromium redis migrate seed serve bench lint clean
# The demo's environment: like production, but over plain http on localhost; emails are written to
# sent-emails/ instead of being sent.
DEMO_ENV := DEBUG=0 PRM_SCHEME=http CELERY_BROKER_URL=filesystem:// \
	EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

venv: $(VENV)/.installed

# Debian's chromium drives the browser tests (Playwright never downloads a browser here).
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; \
	fi

# The fault-injection tests start and stop their own redis-server.
redis:
	@if ! command -v redis-server >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq redis-server; \
	fi

deps: venv chromium redis

migrate: venv
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput

seed: migrate
	$(DEMO_ENV) $(BIN)/python manage.py seed_demo --port $(PORT)
	$(DEMO_ENV) $(BIN)/python manage.py collectstatic --noinput -v 0

serve:
	$(DEMO_ENV) $(BIN)/python manage.py serve_demo --port $(PORT)

run: venv seed serve

dev: venv seed
	DEBUG=1 $(BIN)/python manage.py runserver 0.0.0.0:$(PORT)

test: deps
	$(BIN)/python -m pytest -n 2 --dist loadfile -p no:cacheprovider $(PYTEST_ARGS)

# Benchmarks need PostgreSQL (DATABASE_URL) and wrk (installed from Debian here if missing).
bench: venv
	@if ! command -v wrk >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = "0" ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk; \
	fi
	$(BIN)/pip install --quiet -r requirements-bench.txt
	$(BIN)/python -m bench

lint: venv
	$(BIN)/python -m ruff check .

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm media staticfiles artifacts var sent-emails
