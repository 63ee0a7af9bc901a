# IKM Portal — the two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
MANAGE := $(BIN)/python manage.py

.DEFAULT_GOAL := help
.PHONY: help run serve setup install install-dev test lint format check worker beat messages bench clean

help:
	@echo "make run      venv, install, migrate, reference + demo data, serve http://$(HOST):$(PORT)"
	@echo "make test     ruff check, ruff format --check, pytest (PostgreSQL when DATABASE_URL is set)"
	@echo "make worker   Celery worker (needs CELERY_BROKER_URL)"
	@echo "make beat     Celery beat (periodic tasks)"
	@echo "make messages regenerate the translation catalogues (needs GNU gettext)"
	@echo "make bench    benchmarks in bench/"
	@echo "make backup / restore / deploy-check / deploy-lint / loadtest   operations (docs/deployment.md)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[dev]"
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

setup: install
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo

run: setup serve

serve:
	@echo "Serving http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	$(MANAGE) runserver $(HOST):$(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint
	$(MANAGE) makemigrations --check --dry-run --settings=ikm_portal.settings.test
	$(BIN)/pytest $(PYTEST_ARGS)

worker: install
	$(BIN)/celery -A ikm_portal worker -l info

beat: install
	$(BIN)/celery -A ikm_portal beat -l info --schedule $(VENV)/celerybeat-schedule

messages: install
	$(MANAGE) makemessages -l id -l en --ignore=.venv --ignore=staticfiles --no-obsolete
	$(MANAGE) compilemessages --ignore=.venv

# BENCH_SCALES=100000,1000000 BENCH_SECONDS=30 BENCH_IMPORT_ROWS=100000 BENCH_NOTIFICATIONS=10000
# for the issue's full figures (docs/performance.md); the defaults finish in minutes.
BENCH_SCALES ?= 100000
bench: install-dev
	$(BIN)/python -m pip install -q -e ".[dev,bench]"
	@# wrk, the HTTP load generator (C: it leaves the two cores to the server it measures);
	@# without it the benchmarks fall back to a Python generator (docs/performance.md).
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null) \
	  || echo "wrk not installed: the HTTP figures use the Python load generator"; }
	BENCH_SCALES=$(BENCH_SCALES) $(BIN)/python -m bench

clean:
	rm -rf $(VENV) staticfiles db.sqlite3*

# --- Operations: docs/deployment.md and docs/operations.md ---------------------------------
.PHONY: backup restore deploy-check deploy-lint deploy-tools loadtest

backup: install        ## pg_dump + media tar into BACKUP_DIR (default backups/)
	PYTHON=$(BIN)/python deploy/scripts/backup.sh

restore: install       ## make restore DUMP=… [MEDIA_TAR=…] TARGET_DATABASE_URL=… [FORCE=1]
	@test -n "$(DUMP)" || { echo "usage: make restore DUMP=backups/ikm-db-<stamp>.dump [MEDIA_TAR=backups/ikm-media-<stamp>.tar.gz] TARGET_DATABASE_URL=postgres://…"; exit 2; }
	PYTHON=$(BIN)/python deploy/scripts/restore.sh "$(DUMP)" $(MEDIA_TAR)

deploy-check: install  ## the single-server production path on this machine (PostgreSQL + Redis)
	PYTHON=$(BIN)/python deploy/scripts/deploy-check.sh

deploy-lint: install   ## shellcheck, systemd-analyze verify, nginx -t, compose config
	PYTHON=$(BIN)/python deploy/scripts/lint.sh

deploy-tools:          ## Debian packages the two targets above use: nginx, pgbouncer, linters
	deploy/scripts/install-tools.sh

LOADTEST_USERS   ?= 20
LOADTEST_SECONDS ?= 30
loadtest: install      ## locust against a local production-mode gunicorn (bench/loadtest.sh)
	$(BIN)/python -m pip install -q -e ".[bench]"
	PYTHON=$(BIN)/python LOADTEST_USERS=$(LOADTEST_USERS) LOADTEST_SECONDS=$(LOADTEST_SECONDS) bench/loadtest.sh
